// `dataset.regions` (issue 16): label-map regions evaluated as binary tasks, and the models'
// region keys (`region`, `output.labels`, `output.region_channels`) checked against them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseConfig } from '../../../server/src/core/config';
import { regionForeground, regionsOfModel } from '../../../server/src/core/config/regions';

const FILE = '/work/exp/kits.medseg.yaml';

function parse(dataset: string, models = '[{ path: m.onnx, output: { activation: softmax } }]') {
  return parseConfig(`dataset: { images: "{dir}/imaging.nii.gz", masks: "{dir}/segmentation.nii.gz", ${dataset} }\nmodels: ${models}`, FILE);
}
const codes = (r: ReturnType<typeof parse>) => r.findings.map((f) => [f.code, f.severity, f.configPath]);
const errors = (r: ReturnType<typeof parse>) => codes(r).filter(([, severity]) => severity === 'error');

describe('dataset.regions', () => {
  test('lists and objects, in config order, with a region τ; the references\' rule stays nonzero', () => {
    const r = parse('regions: { kidney: [1, 2], tumour: { labels: [2], nsd_tolerance: 2 } }');
    assert.deepEqual(r.findings, []);
    assert.deepEqual(r.config!.dataset.regions, [
      { name: 'kidney', labels: [1, 2] },
      { name: 'tumour', labels: [2], nsdTolerance: 2 },
    ]);
    assert.deepEqual(r.config!.dataset.foreground, { kind: 'nonzero' });
  });

  test('each region\'s rule counts the other regions\' labels and other_labels as other structures', () => {
    const r = parse('regions: { kidney: [1, 2], tumour: [2] }, other_labels: [3]');
    assert.deepEqual(r.findings, []);
    const [kidney, tumour] = r.config!.dataset.regions!;
    assert.deepEqual(regionForeground(kidney, r.config!.dataset.regions!, r.config!.dataset.otherLabels), { kind: 'values', values: [1, 2], otherLabels: [3], exhaustive: true });
    assert.deepEqual(regionForeground(tumour, r.config!.dataset.regions!, r.config!.dataset.otherLabels), { kind: 'values', values: [2], otherLabels: [1, 3], exhaustive: true });
    assert.deepEqual(regionForeground(kidney, r.config!.dataset.regions!), { kind: 'values', values: [1, 2], exhaustive: true });
  });

  test('a `foreground` beside regions is an error on that key', () => {
    const r = parse('foreground: [1, 2], regions: { kidney: [1, 2] }');
    assert.deepEqual(codes(r), [['config/regions-and-foreground', 'error', ['dataset', 'foreground']]]);
  });

  test('a label both in a region and in other_labels is an error naming it', () => {
    const r = parse('regions: { kidney: [1, 2] }, other_labels: [2]');
    assert.deepEqual(codes(r), [['config/other-labels', 'error', ['dataset', 'regions', 'kidney']]]);
    assert.match(r.findings[0].message, /^2 is a label of region `kidney`/);
  });

  test('a region name that cannot be a folder is refused', () => {
    const r = parse('regions: { "../up": [1] }');
    assert.deepEqual(codes(r), [['config/unsafe-name', 'error', ['dataset', 'regions', '../up']]]);
  });

  test('an empty or non-integer label list is a schema error', () => {
    assert.ok(parse('regions: { kidney: [] }').findings.some((f) => f.severity === 'error'));
    assert.ok(parse('regions: { kidney: [1.5] }').findings.some((f) => f.severity === 'error'));
  });
});

describe('models and regions', () => {
  const regions = 'regions: { kidney: [1, 2], tumour: [2] }';

  test('a one-region model names an existing region (with a suggestion when misspelt)', () => {
    const ok = parse(regions, '[{ path: t.onnx, region: tumour }]');
    // Only the kidney region lacks a model.
    assert.deepEqual(codes(ok), [['config/region-without-models', 'warning', ['dataset', 'regions', 'kidney']]]);
    assert.equal(ok.config!.models[0].region, 'tumour');
    assert.deepEqual(regionsOfModel(ok.config!.models[0], ok.config!.dataset.regions!).map((x) => x.name), ['tumour']);
    const bad = parse(regions, '[{ path: t.onnx, region: tumor }]');
    assert.deepEqual(errors(bad), [['config/unknown-region', 'error', ['models', 0, 'region']]]);
    assert.match(bad.findings.find((f) => f.code === 'config/unknown-region')!.message, /did you mean `tumour`/);
  });

  test('`region` without dataset.regions is an error', () => {
    const r = parse('foreground: [2]', '[{ path: t.onnx, region: tumour }]');
    assert.deepEqual(codes(r), [['config/region-without-regions', 'error', ['models', 0, 'region']]]);
  });

  test('softmax models predict every region; output.labels must cover every region label', () => {
    const r = parse(regions);
    assert.deepEqual(r.findings, []);
    assert.deepEqual(regionsOfModel(r.config!.models[0], r.config!.dataset.regions!).map((x) => x.name), ['kidney', 'tumour']);
    const short = parse(regions, '[{ path: m.onnx, output: { activation: softmax, labels: [0, 1] } }]');
    assert.deepEqual(codes(short), [['config/region-mapping', 'error', ['models', 0, 'output', 'labels']]]);
    assert.match(short.findings[0].message, /no channel for label 2/);
    const full = parse(regions, '[{ path: m.onnx, output: { activation: softmax, labels: [0, 2, 1] } }]');
    assert.deepEqual(full.findings, []);
    assert.deepEqual(full.config!.models[0].output.labels, [0, 2, 1]);
  });

  test('sigmoid models need region_channels naming real regions, and are evaluated in those', () => {
    const missing = parse(regions, '[{ path: m.onnx }]');
    assert.deepEqual(codes(missing), [['config/region-mapping', 'error', ['models', 0, 'output']]]);
    assert.match(missing.findings[0].message, /region_channels: \{ kidney: 0, tumour: 1 \}/);
    const one = parse(regions, '[{ path: m.onnx, output: { region_channels: { tumour: 1 } } }]');
    assert.deepEqual(codes(one), [['config/region-without-models', 'warning', ['dataset', 'regions', 'kidney']]]);
    assert.deepEqual(regionsOfModel(one.config!.models[0], one.config!.dataset.regions!).map((x) => x.name), ['tumour']);
    const typo = parse(regions, '[{ path: m.onnx, output: { region_channels: { kidny: 0 } } }]');
    assert.deepEqual(errors(typo), [['config/unknown-region', 'error', ['models', 0, 'output', 'region_channels', 'kidny']]]);
  });

  test('a region no model predicts is a warning on the region', () => {
    const r = parse(regions, '[{ path: m.onnx, output: { region_channels: { kidney: 0 } } }]');
    assert.deepEqual(codes(r), [['config/region-without-models', 'warning', ['dataset', 'regions', 'tumour']]]);
    assert.match(r.findings[0].message, /No model predicts region `tumour`/);
    assert.deepEqual(parse(regions, '[{ path: t.onnx, region: tumour }, { predictions: "p/{stem}.png" }]').findings, []);
  });

  test('an output without activation cannot give regions', () => {
    const r = parse(regions, '[{ path: m.onnx, output: { activation: none } }]');
    assert.deepEqual(codes(r), [['config/region-mapping', 'error', ['models', 0, 'output', 'activation']]]);
  });

  test('label-map prediction files predict every region; probability files need a region', () => {
    assert.deepEqual(parse(regions, '[{ predictions: "p/{stem}.nii.gz", prediction_values: labels }]').findings, []);
    const r = parse(regions, '[{ predictions: "p/{stem}.nii.gz", prediction_values: probabilities }]');
    assert.deepEqual(codes(r), [['config/region-mapping', 'error', ['models', 0, 'prediction_values']]]);
  });

  test('without regions, models keep their output object as before (no new keys: cache keys unchanged)', () => {
    const r = parse('foreground: [1, 2]', '[{ path: m.onnx }]');
    assert.deepEqual(r.config!.models[0].output, { activation: 'sigmoid', channel: 1, threshold: 0.5 });
    assert.equal('region' in r.config!.models[0], false);
    assert.equal('regions' in r.config!.dataset, false);
  });
});
