import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parseConfig } from '../../../server/src/core/config';
import type { Finding } from '../../../server/src/core/findings';

const FILE = '/work/exp/isic.medseg.yaml';

/** [code, severity, line, character] with one-based line/column as an editor shows them. */
function brief(findings: Finding[]): [string, string, number, number][] {
  return findings.map((f) => [f.code, f.severity, f.location!.range!.start.line + 1, f.location!.range!.start.character + 1]);
}

describe('parseConfig', () => {
  test('a five-line config works and gets every default', () => {
    const r = parseConfig(
      ['dataset:', '  images: data/images/*.png', '  masks: data/masks/{stem}_mask.png', 'models:', '  - path: models/unet.onnx'].join('\n'),
      FILE,
    );
    assert.deepEqual(r.findings, []);
    const c = r.config!;
    assert.equal(c.name, 'isic');
    assert.equal(c.dir, '/work/exp');
    assert.equal(c.output, '/work/exp/medseg-results');
    assert.equal(c.dataset.images, 'data/images/*.png');
    assert.deepEqual(c.dataset.foreground, { kind: 'nonzero' });
    assert.equal(c.dataset.idColumn, 'image_id');
    assert.equal(c.models[0].name, 'unet');
    assert.equal(c.models[0].path, '/work/exp/models/unet.onnx');
    assert.deepEqual(c.models[0].input, { size: undefined, layout: 'NCHW', channels: 3, normalize: { kind: 'imagenet' } });
    assert.deepEqual(c.models[0].output, { activation: 'sigmoid', channel: 1, threshold: 0.5 });
    assert.equal(c.evaluation.split, 'all');
    assert.deepEqual(c.evaluation.metrics, ['dice', 'iou', 'sensitivity', 'specificity', 'precision', 'auroc', 'hd95']);
    assert.equal(c.evaluation.bootstrap, 2000);
    assert.deepEqual(c.evaluation.compare, { alpha: 0.05, correction: 'holm' });
    assert.equal(c.explain.gradcam.layer, 'auto');
    assert.equal(c.explain.umap.minDist, 0.1);
    assert.equal(c.runtime.provider, 'auto');
    assert.equal(c.runtime.cache, '/work/exp/.medseg-cache');
    assert.equal(c.splits, undefined);
  });

  test('the full CONFIG.md example parses without findings', () => {
    const text = `name: isic-tii-vs-lmi
dataset:
  images: data/images/*.png
  masks: data/masks/{stem}_mask.png
  labels: data/clinical.csv
  id_column: image_id
  group_column: patient_id
  label_columns: [diagnosis, site]
  foreground: [1, 2]
  volumes: axial
splits:
  file: data/splits.csv
  alpha: 0.01
  min_per_label: 5
  target_ci_halfwidth: 0.02
models:
  - name: unet-resnet34-tii
    path: models/unet_resnet34_tii.onnx
    family: TII
    input: { size: [256, 256], layout: NHWC, channels: 1, normalize: { mean: [0.5], std: [0.25] } }
    output: { activation: softmax, channel: 1, threshold: 0.4 }
    train_size: 400
  - name: nnunet-fold0
    predictions: preds/nnunet/{stem}.png
    family: LMI
evaluation:
  split: val
  fusion: [union, staple]
  compare: { alpha: 0.01, correction: bh }
  bootstrap: 500
runtime: { provider: cpu, batch: 4, threads: 2 }
output: out
`;
    const r = parseConfig(text, FILE);
    assert.deepEqual(r.findings, []);
    const c = r.config!;
    assert.deepEqual(c.dataset.foreground, { kind: 'values', values: [1, 2] });
    assert.equal(c.dataset.volumes, 'axial');
    assert.equal(c.dataset.labels, '/work/exp/data/clinical.csv');
    assert.deepEqual(c.dataset.labelColumns, ['diagnosis', 'site']);
    assert.equal(c.splits!.file, '/work/exp/data/splits.csv');
    assert.equal(c.splits!.alpha, 0.01);
    assert.equal(c.splits!.duplicateDistance, 4);
    assert.deepEqual(c.models[0].input, { size: [256, 256], layout: 'NHWC', channels: 1, normalize: { kind: 'explicit', mean: [0.5], std: [0.25] } });
    assert.equal(c.models[0].trainSize, 400);
    assert.equal(c.models[1].predictions, 'preds/nnunet/{stem}.png');
    assert.equal(c.models[1].family, 'LMI');
    assert.equal(c.evaluation.split, 'val');
    assert.deepEqual(c.evaluation.compare, { alpha: 0.01, correction: 'bh' });
    assert.equal(c.output, '/work/exp/out');
  });

  test('a single foreground value becomes a one-value rule; generated splits are normalised', () => {
    const r = parseConfig(
      `dataset: { images: a/*.png, masks: "m/{stem}.png", foreground: 255, labels: c.csv, label_columns: [dx] }
splits: { generate: { ratios: { train: 6, val: 2, test: 2 }, seed: 3 } }
models: [{ path: m.onnx }]`,
      FILE,
    );
    assert.deepEqual(r.findings, []);
    assert.deepEqual(r.config!.dataset.foreground, { kind: 'values', values: [255] });
    assert.deepEqual(r.config!.splits!.generate, { ratios: { train: 0.6, val: 0.2, test: 0.2 }, stratify: ['dx'], seed: 3, tries: 1 });
    assert.equal(r.config!.evaluation.split, 'test');
  });

  test('schema problems are located on the offending node', () => {
    const text = [
      'dataset:', //                                  1
      '  images: data/*.png', //                       2
      '  maks: data/{stem}.png', //                    3  unknown key, did you mean masks
      '  masks: m/{stem}.png', //                      4
      'splits:', //                                    5
      '  file: s.csv', //                              6
      '  alpha: "often"', //                           7  wrong type
      'models:', //                                    8
      '  - name: a', //                                9
      '    path: a.onnx', //                           10
      '    output: { activation: sigmod }', //         11 enum, did you mean sigmoid
      'evaluaton: {}', //                              12 unknown top-level key
    ].join('\n');
    const r = parseConfig(text, FILE);
    assert.equal(r.config, undefined);
    assert.deepEqual(brief(r.findings), [
      ['config/unknown-key', 'warning', 12, 1],
      ['config/unknown-key', 'warning', 3, 3],
      ['config/wrong-type', 'error', 7, 10],
      ['config/wrong-type', 'error', 11, 27],
    ]);
    assert.match(r.findings[0].message, /did you mean `evaluation`\?/);
    assert.deepEqual(r.findings[1].fix, { replacement: 'masks', key: 'maks' });
    assert.equal(r.findings[1].message, 'Unknown key `maks` in `dataset`: did you mean `masks`?');
    assert.equal(r.findings[2].message, '`splits.alpha` must be a number, not "often".');
    assert.match(r.findings[3].message, /one of `sigmoid`, `softmax`, `none`, not "sigmod". Did you mean `sigmoid`\?/);
    // The key's range spans the key exactly.
    assert.deepEqual(r.findings[1].location!.range, { start: { line: 2, character: 2 }, end: { line: 2, character: 6 } });
  });

  test('unknown keys alone are warnings and the config is still usable', () => {
    const r = parseConfig('dataset: { images: a/*.png, masks: "m/{stem}.png" }\nmodels: [{ path: m.onnx, famly: TII }]\n', FILE);
    assert.deepEqual(brief(r.findings), [['config/unknown-key', 'warning', 2, 26]]);
    assert.match(r.findings[0].message, /did you mean `family`/);
    assert.ok(r.config);
  });

  test('semantic problems: model source, duplicate names, placeholders, fusion names', () => {
    const text = [
      'dataset:', //                                   1
      '  images: img/*.png', //                         2
      '  masks: "msk/{stm}.png"', //                    3 unknown placeholder
      'models:', //                                     4
      '  - name: a', //                                 5
      '    path: a.onnx', //  family: TII              6
      '  - name: a', //                                 7 duplicate
      '    predictions: "p/{stem}.png"', //             8
      '  - name: lmi-net', //                           9 no source
      '    family: LMI', //                             10
      'evaluation:', //                                 11
      '  fuse_models: [lmi-nt, "family:LM", zzz]', //   12 unknown model / family
    ].join('\n');
    const r = parseConfig(text, FILE);
    assert.equal(r.config, undefined);
    const codes = brief(r.findings).sort((x, y) => x[2] - y[2] || x[3] - y[3]);
    assert.deepEqual(codes, [
      ['config/unknown-placeholder', 'error', 3, 10],
      ['config/duplicate-model', 'error', 7, 11],
      ['config/model-source', 'error', 9, 5],
      ['config/unknown-model', 'error', 12, 17],
      ['config/unknown-model', 'error', 12, 25],
      ['config/unknown-model', 'error', 12, 38],
    ]);
    const messages = r.findings.map((f) => f.message).join('\n');
    assert.match(messages, /Unknown placeholder `\{stm\}`.*did you mean `\{stem\}`/);
    assert.match(messages, /`lmi-nt` names no model of this config: did you mean `lmi-net`\?/);
    assert.match(messages, /`family:LM` names no model family of this config: did you mean `family:LMI`\?/);
    assert.match(messages, /`zzz` names no model of this config \(models: a, lmi-net\)\./);
  });

  test('missing required sections name what is needed', () => {
    const r = parseConfig('name: x\n', FILE);
    assert.deepEqual(
      r.findings.map((f) => [f.code, f.message]),
      [
        ['config/missing-key', 'The config needs `dataset` (where the images, reference masks and clinical labels are): add it.'],
        ['config/missing-key', 'The config needs `models` (models to evaluate): add it.'],
      ],
    );
  });

  test('YAML syntax errors and non-mappings are one clear finding each, never a throw', () => {
    const bad = parseConfig('dataset:\n  images: [a, b\nmodels: x\n', FILE);
    assert.ok(bad.findings.length >= 1);
    assert.ok(bad.findings.every((f) => f.code === 'config/yaml-syntax' && f.severity === 'error'));
    assert.equal(bad.config, undefined);
    const dup = parseConfig('dataset: {}\ndataset: {}\nmodels: []\n', FILE);
    assert.equal(dup.findings[0].code, 'config/yaml-syntax');
    assert.match(dup.findings[0].message, /unique/);
    assert.equal(parseConfig('- a\n- b\n', FILE).findings[0].code, 'config/not-a-mapping');
    assert.equal(parseConfig('', FILE).findings[0].code, 'config/not-a-mapping');
  });

  test('the parser never throws on arbitrary text', () => {
    const fragments = ['dataset:', '  images: ', 'models:', '  - ', 'path: x', '{', '}', '[', ']', ': ', '&a ', '*a', '"', "'", '\n', '  ', '#', '!!binary ', '- name: a', 'splits: {file: 1}'];
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.array(fc.constantFrom(...fragments), { maxLength: 40 }).map((a) => a.join(''))), (text) => {
        const r = parseConfig(text, FILE);
        for (const f of r.findings) assert.ok(f.location?.range, `finding without range: ${f.code}`);
        return true;
      }),
      { numRuns: 400 },
    );
  });
});
