// The typed config of issue 13's keys: `dataset.other_labels` (labels of other structures in a
// label map) and a model's `output.name` (which graph output is the segmentation).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseConfig } from '../../../server/src/core/config';
import { DEFAULT_METRICS } from '../../../server/src/core/config/types';

const FILE = '/work/exp/kits.medseg.yaml';

function parse(dataset: string, model = '{ path: m.onnx }') {
  return parseConfig(`dataset: { images: "{dir}/imaging.nii.gz", masks: "{dir}/segmentation.nii.gz", ${dataset} }\nmodels: [${model}]`, FILE);
}

describe('dataset.other_labels', () => {
  test('joins the value rule, so a tumour-free slice with kidney is an empty reference', () => {
    const r = parse('foreground: [2], other_labels: [1]');
    assert.deepEqual(r.findings, []);
    assert.deepEqual(r.config!.dataset.foreground, { kind: 'values', values: [2], otherLabels: [1] });
  });

  test('absent: the rule has no other labels (and the default is an empty list)', () => {
    const r = parse('foreground: 255');
    assert.deepEqual(r.findings, []);
    assert.deepEqual(r.config!.dataset.foreground, { kind: 'values', values: [255] });
  });

  test('with `foreground: nonzero` it has no effect: a warning on the key', () => {
    const r = parse('other_labels: [1]');
    assert.deepEqual(r.findings.map((f) => [f.code, f.severity, f.configPath]), [['config/other-labels', 'warning', ['dataset', 'other_labels']]]);
    assert.match(r.findings[0].message, /`foreground: nonzero`/);
    assert.deepEqual(r.config!.dataset.foreground, { kind: 'nonzero' });
  });

  test('a value both foreground and other label is an error naming it', () => {
    const r = parse('foreground: [1, 2], other_labels: [2, 3]');
    assert.deepEqual(r.findings.map((f) => [f.code, f.severity]), [['config/other-labels', 'error']]);
    assert.match(r.findings[0].message, /2 is both/);
    assert.equal(r.config, undefined);
  });
});

describe('models[].output.name', () => {
  test('is carried into the typed model; absent, it is undefined (the engine chooses)', () => {
    const named = parse('foreground: 255', '{ path: m.onnx, output: { name: seg, activation: none } }');
    assert.deepEqual(named.findings, []);
    assert.deepEqual(named.config!.models[0].output, { name: 'seg', activation: 'none', channel: 1, threshold: 0.5 });
    const unnamed = parse('foreground: 255');
    assert.equal(unnamed.config!.models[0].output.name, undefined);
  });
});

describe('models[].prediction_values', () => {
  test('what prediction files hold: `auto` by default, `labels` as written', () => {
    const r = parseConfig('dataset: { images: "i/*.png", masks: "m/{stem}.png", foreground: [1, 2] }\nmodels:\n  - { name: a, predictions: "pa/{stem}.png" }\n  - { name: b, predictions: "pb/{stem}.png", prediction_values: labels }', FILE);
    assert.deepEqual(r.findings, []);
    assert.deepEqual(r.config!.models.map((m) => m.predictionValues), ['auto', 'labels']);
  });
});

// Issue 16: the further metrics and their parameters.
describe('evaluation.metrics and the further metrics’ parameters', () => {
  const withEvaluation = (evaluation: string) =>
    parseConfig(`dataset: { images: "{dir}/imaging.nii.gz", masks: "{dir}/segmentation.nii.gz" }\nmodels: [{ path: m.onnx }]\nevaluation: ${evaluation}`, FILE);

  test('defaults: the seven metrics, τ 1, band auto, β 2', () => {
    const r = parse('foreground: nonzero');
    assert.deepEqual(r.config!.evaluation.metrics, ['dice', 'iou', 'sensitivity', 'specificity', 'precision', 'auroc', 'hd95']);
    assert.deepEqual(r.config!.evaluation.metrics, [...DEFAULT_METRICS], 'the schema default is the engine’s');
    assert.deepEqual(r.config!.evaluation.metricSettings, { nsdTolerance: 1, boundaryWidth: 'auto', fbetaBeta: 2 });
  });

  test('a selection of further metrics with their parameters', () => {
    const r = withEvaluation('{ metrics: [dice, nsd, cldice, mcc, avd], nsd_tolerance: 2.5, boundary_width: 3, fbeta_beta: 0.5, primary_metric: nsd }');
    assert.deepEqual(r.findings, []);
    assert.deepEqual(r.config!.evaluation.metrics, ['dice', 'nsd', 'cldice', 'mcc', 'avd']);
    assert.equal(r.config!.evaluation.primaryMetric, 'nsd');
    assert.deepEqual(r.config!.evaluation.metricSettings, { nsdTolerance: 2.5, boundaryWidth: 3, fbetaBeta: 0.5 });
  });

  test('bad values are errors on their keys', () => {
    for (const [evaluation, key] of [
      ['{ metrics: [dice, surface_dice] }', 'metrics'],
      ['{ nsd_tolerance: -1 }', 'nsd_tolerance'],
      ['{ boundary_width: 0 }', 'boundary_width'],
      ['{ boundary_width: wide }', 'boundary_width'],
      ['{ fbeta_beta: 0 }', 'fbeta_beta'],
    ] as const) {
      const r = withEvaluation(evaluation);
      assert.equal(r.config, undefined, evaluation);
      assert.ok(
        r.findings.some((f) => f.severity === 'error' && f.configPath?.[0] === 'evaluation' && f.configPath?.[1] === key),
        `${evaluation}: ${JSON.stringify(r.findings.map((f) => [f.code, f.configPath]))}`,
      );
    }
  });
});
