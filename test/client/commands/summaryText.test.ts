import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EvaluateResult } from '../../../server/src/protocol';
import { bestMethod, evaluationLine, parseSplitSummary, splitLine, validationLine } from '../../../client/src/commands/summaryText';

const result: EvaluateResult = {
  outputDir: '/r',
  provider: 'cpu',
  images: 18,
  methods: {
    a: { kind: 'model', n: 18, metrics: { dice: { n: 18, excluded: 0, mean: 0.7 } } },
    b: { kind: 'model', n: 18, metrics: { dice: { n: 18, excluded: 0, mean: 0.79 } } },
    'fusion:best': { kind: 'fusion', n: 18, metrics: { dice: { n: 18, excluded: 0, mean: 0.9 } } },
    c: { kind: 'model', n: 18, metrics: {} },
  },
  findings: [{ code: 'x', severity: 'error', message: 'm' }],
  outcome: 'with-errors',
  skippedModels: [],
};

describe('summaries', () => {
  test('the best method excludes the fusion:best upper bound', () => {
    assert.deepEqual(bestMethod(result), { name: 'b', mean: 0.79 });
    assert.equal(bestMethod({ methods: {} }), undefined);
  });
  test('evaluation, validation and split lines', () => {
    assert.equal(evaluationLine(result, 'test'), 'Evaluated 18 images of split test on CPU. Best mean Dice: b 0.790. Finished with errors. 1 error (see Problems).');
    assert.equal(
      validationLine({ cases: 120, splits: { train: 91, val: 11, test: 18 }, counts: { error: 1, warning: 7, info: 0, hint: 0 }, findings: [] }),
      '120 cases (train 91 / val 11 / test 18): 1 error, 7 warnings.',
    );
    assert.equal(splitLine({ file: '/d/s.csv', rows: 3, splits: { train: 2, test: 1 }, seed: 7 }), 'Wrote 3 rows to /d/s.csv (train 2 / test 1; seed 7).');
  });
  test('the three outcomes of a run (exit 0 / 3 / 4) read differently, skipped models named', () => {
    const clean: EvaluateResult = { ...result, findings: [], outcome: 'complete' };
    assert.equal(evaluationLine(clean, undefined), 'Evaluated 18 images on CPU. Best mean Dice: b 0.790.');
    const skipped: EvaluateResult = { ...result, outcome: 'with-errors', skippedModels: [{ name: 'c', code: 'model/unreadable', reason: 'c.onnx is not an ONNX model' }] };
    assert.equal(evaluationLine(skipped, 'test'), 'Evaluated 18 images of split test on CPU. Best mean Dice: b 0.790. Finished with errors. Skipped: c. 1 error (see Problems).');
    const nothing: EvaluateResult = { ...result, methods: {}, outcome: 'nothing', skippedModels: [{ name: 'a', code: 'model/unreadable', reason: 'r' }, { name: 'b', code: 'model/unreadable', reason: 'r' }], findings: [{ code: 'model/unreadable', severity: 'error', message: 'm' }, { code: 'model/unreadable', severity: 'error', message: 'm' }] };
    assert.equal(evaluationLine(nothing, 'test'), 'Nothing was evaluated in split test. Skipped: a, b. 2 errors (see Problems).');
  });
  test('a region evaluation names each region\'s best method, never ranking across regions', () => {
    const kidney = { a: { kind: 'model' as const, n: 9, metrics: { dice: { n: 9, excluded: 0, mean: 0.95 } } }, b: { kind: 'model' as const, n: 9, metrics: { dice: { n: 9, excluded: 0, mean: 0.91 } } } };
    const tumour = { a: { kind: 'model' as const, n: 9, metrics: { dice: { n: 9, excluded: 0, mean: 0.61 } } }, b: { kind: 'model' as const, n: 9, metrics: { dice: { n: 9, excluded: 0, mean: 0.7 } } } };
    const regions: EvaluateResult = { ...result, findings: [], outcome: 'complete', methods: kidney, regions: [{ name: 'kidney', methods: kidney }, { name: 'tumour', methods: tumour }] };
    assert.equal(evaluationLine(regions, 'test'), 'Evaluated 18 images of split test on CPU. Best mean Dice by region: kidney a 0.950; tumour b 0.700.');
  });
  test('parseSplitSummary reads the CLI output of `medseg split`', () => {
    // The first lines `node dist/cli.js split demo/dermoscopy/dermoscopy.medseg.yaml --out x.csv` printed.
    const out = [
      'Wrote /tmp/demo2/x.csv: 84 train / 18 val / 18 test (120 images, 120 rows).',
      'Seed 2211091896 (try 20 of 20): label quality 3.760, property imbalance 3.286 (0 = identical across splits); 0 drift findings at alpha 0.05.',
    ].join('\n');
    assert.deepEqual(parseSplitSummary(out), { rows: 120, splits: { train: 84, val: 18, test: 18 }, seed: 2211091896 });
    assert.deepEqual(parseSplitSummary('nothing useful'), {});
  });
});
