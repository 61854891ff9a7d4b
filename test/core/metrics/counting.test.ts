import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { countingMetrics } from '../../../server/src/core/metrics/counting';
import type { ConfusionCounts } from '../../../server/src/core/metrics';
import { assertClose } from './bruteforce';

const counts = (tp: number, fp: number, fn: number, tn: number): ConfusionCounts => ({ tp, fp, fn, tn });

describe('countingMetrics: hand computations', () => {
  test('TP 3, FP 1, FN 2, TN 4', () => {
    const m = countingMetrics(counts(3, 1, 2, 4), { beta: 2 });
    // MCC = (3·4 − 1·2) / √(4·5·5·6) = 10/√600
    assertClose(m.mcc, 10 / Math.sqrt(600), 1e-15, 'mcc');
    assertClose(m.npv, 4 / 6, 1e-15, 'npv');
    // F2 = 5·3 / (5·3 + 4·2 + 1)
    assertClose(m.fbeta, 15 / 24, 1e-15, 'fbeta');
    // p_o = 0.7, p_e = (4·5 + 6·5)/100 = 0.5, κ = 0.2/0.5
    assertClose(m.kappa, 0.4, 1e-15, 'kappa');
    assertClose(m.volume_similarity, 1 - 1 / 9, 1e-15, 'volume similarity');
    assertClose(m.rvd, (4 - 5) / 5, 1e-15, 'rvd');
    assert.equal(m.avd, 1);
    assert.equal(countingMetrics(counts(3, 1, 2, 4), { beta: 2, voxelMl: 0.0025 }).avd, 0.0025);
  });

  test('F1 is Dice, and β weighs recall', () => {
    const c = counts(7, 3, 5, 100);
    assertClose(countingMetrics(c, { beta: 1 }).fbeta, (2 * 7) / (2 * 7 + 3 + 5), 1e-15, 'F1 = Dice');
    // β → 0 gives precision 7/10, β large gives recall 7/12
    assertClose(countingMetrics(c, { beta: 1e-6 }).fbeta, 0.7, 1e-9, 'F0 = precision');
    assertClose(countingMetrics(c, { beta: 1e6 }).fbeta, 7 / 12, 1e-9, 'F∞ = recall');
  });

  test('perfect and inverted predictions', () => {
    const perfect = countingMetrics(counts(6, 0, 0, 10), { beta: 2 });
    assert.equal(perfect.mcc, 1);
    assert.equal(perfect.kappa, 1);
    assert.equal(perfect.volume_similarity, 1);
    assert.equal(perfect.rvd, 0);
    const inverted = countingMetrics(counts(0, 10, 6, 0), { beta: 2 });
    assert.equal(inverted.mcc, -1);
    assertClose(inverted.kappa, (2 * (0 - 60)) / (10 * 10 + 6 * 6), 1e-15, 'kappa');
    assert.equal(inverted.npv, 0);
  });

  test('empty-mask rules of RESULTS.md', () => {
    const bothEmpty = countingMetrics(counts(0, 0, 0, 10), { beta: 2 });
    assert.deepEqual(bothEmpty, { mcc: undefined, npv: 1, fbeta: 1, kappa: undefined, volume_similarity: 1, rvd: undefined, avd: 0 });
    const bothFull = countingMetrics(counts(10, 0, 0, 0), { beta: 2 });
    assert.deepEqual(bothFull, { mcc: undefined, npv: undefined, fbeta: 1, kappa: undefined, volume_similarity: 1, rvd: 0, avd: 0 });
    // different constants: κ is defined (0), MCC is not (a row of the matrix is zero)
    const emptyVsFull = countingMetrics(counts(0, 10, 0, 0), { beta: 2 });
    assert.equal(emptyVsFull.kappa, 0);
    assert.equal(emptyVsFull.mcc, undefined);
    assert.equal(emptyVsFull.rvd, undefined);
    assert.equal(emptyVsFull.fbeta, 0);
    assert.equal(emptyVsFull.volume_similarity, 0);
    assert.equal(emptyVsFull.avd, 10);
    const predEmpty = countingMetrics(counts(0, 0, 4, 6), { beta: 2 });
    assert.equal(predEmpty.rvd, -1);
    assert.equal(predEmpty.fbeta, 0);
  });
});

describe('published cases', () => {
  // MONAI tests/metrics/test_compute_f_beta.py: y_pred all ones over y = [[1,0,1],[0,1,0],[1,0,1]]
  // (TP 5, FP 4, FN 0, TN 0): F1 0.714286, F0.5 0.609756, F2 0.862069; y all zeros: F2 0.
  test('MONAI FBetaScore', () => {
    assertClose(countingMetrics(counts(5, 4, 0, 0), { beta: 1 }).fbeta, 0.714286, 1e-6, 'F1');
    assertClose(countingMetrics(counts(5, 4, 0, 0), { beta: 0.5 }).fbeta, 0.609756, 1e-6, 'F0.5');
    assertClose(countingMetrics(counts(5, 4, 0, 0), { beta: 2 }).fbeta, 0.862069, 1e-6, 'F2');
    assertClose(countingMetrics(counts(0, 9, 0, 0), { beta: 2 }).fbeta, 0, 1e-6, 'F2, empty y');
  });

  // MONAI tests/metrics/test_compute_confusion_matrix.py: the confusion matrices [tp, fp, tn, fn]
  // of its 2 samples × 3 channels, and the published per-channel means (reduction "mean_batch")
  // of npv [0.8333, 0.5833, 0.8333] and mcc [0.3333, 0.2887, 0.1220].
  test('MONAI ConfusionMatrixMetric npv and mcc', () => {
    const matrices = [
      [[0, 1, 2, 1], [1, 1, 1, 1], [0, 1, 2, 1]],
      [[1, 0, 3, 0], [1, 0, 2, 1], [1, 1, 2, 0]],
    ];
    const expected = { npv: [0.8333, 0.5833, 0.8333], mcc: [0.3333, 0.2887, 0.122] };
    for (let channel = 0; channel < 3; channel++) {
      const values = matrices.map((sample) => {
        const [tp, fp, tn, fn] = sample[channel];
        return countingMetrics(counts(tp, fp, fn, tn), { beta: 1 });
      });
      assertClose((values[0].npv! + values[1].npv!) / 2, expected.npv[channel], 1e-4, `npv channel ${channel}`);
      assertClose((values[0].mcc! + values[1].mcc!) / 2, expected.mcc[channel], 1e-4, `mcc channel ${channel}`);
    }
  });
});
