/**
 * Metrics Reloaded's own test cases (github:Project-MONAI/MetricsReloaded at commit
 * cb38dfc0a5ed4fa3bdc559e4960b6e2b93c3b967), reproduced wherever they map onto a metric we compute.
 * "MR file:line" cites the test function; the masks are their numpy arrays rewritten as literals
 * (`grid` is numpy's zeros([rows, cols]) with slices set, `runs` their np.concatenate of ones and
 * zeros); the expected values are those they publish, asserted to their own `atol` (1e-9 where they
 * assert exactly), each with the exact value worked out by hand beside it where it is short.
 *
 * Conventions compared (MR's metrics/pairwise_measures.py and utility/utils.py):
 * - Borders: MR's border is mask − binary_erosion (scipy's cross element, outside = background),
 *   i.e. our hd95 rule (4-neighbour or image edge); distances are the EDT of the other border. HD95
 *   is the max of the two directed np.percentile(·, 95) (linear), as ours. So HD, HD95, ASSD and
 *   MASD are the same definitions: their published values are asserted.
 * - NSD: MR counts pixel-border pixels within τ of the other pixel border; RESULTS.md's `nsd`
 *   weighs marching-squares contour pieces on the pixel-corner grid (DeepMind's surface-distance).
 *   Those cases assert OUR value, computed by hand below, and say what MR gets.
 * - Boundary IoU: MR's band is the mask's pixels at EDT distance < d from its (cross) border; ours
 *   is mask − erosion by a (2d+1) square (Cheng et al.). For axis-aligned rectangles, the only
 *   shapes MR tests, the two bands are the same pixels, so their values are asserted.
 * - clDice: both use scikit-image's 2D skeletonize (Zhang–Suen), so their values are asserted.
 * - Fβ: MR's default β is 1 (ours 2), so the Fβ cases run with fbetaBeta 1. AVDR = |P − R| / |R|
 *   is |rvd|. MR's cases for accuracy, balanced accuracy, Youden, LR+, net benefit, expected cost,
 *   pred_in_ref, centre of mass and the multi-class and localisation measures have no counterpart.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { computeImageMetrics, type ImageMetrics, type MaskLike } from '../../../server/src/core/metrics';
import type { MetricName, MetricSettings } from '../../../server/src/core/config/types';
import { assertClose } from './bruteforce';

const SQRT2 = Math.SQRT2;

/** numpy's zeros([rows, cols]), then m[r0:r1, c0:c1] = value for each slice in order. */
function grid(rows: number, cols: number, slices: [r0: number, r1: number, c0: number, c1: number, value?: number][]): MaskLike {
  const data = new Uint8Array(rows * cols);
  for (const [r0, r1, c0, c1, value = 1] of slices) {
    for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) data[r * cols + c] = value;
  }
  return { width: cols, height: rows, depth: 1, data };
}

/** np.concatenate of np.ones / np.zeros runs: [value, length] pairs, as a 1-row image. */
function runs(pieces: [value: 0 | 1, length: number][]): MaskLike {
  const values: number[] = [];
  for (const [value, length] of pieces) for (let i = 0; i < length; i++) values.push(value);
  return { width: values.length, height: 1, depth: 1, data: Uint8Array.from(values) };
}

const empty = (like: MaskLike): MaskLike => ({ ...like, data: new Uint8Array(like.data.length) });

const ALL: MetricName[] = [
  'dice', 'iou', 'sensitivity', 'specificity', 'precision', 'hd95', 'hd', 'assd', 'masd', 'nsd', 'boundary_iou', 'cldice',
  'mcc', 'npv', 'kappa', 'fbeta', 'volume_similarity', 'rvd', 'avd',
];

/** Our metrics of (pred, ref), MR's argument order; MR's defaults: τ 1, band 1, β 1. */
function ours(pred: MaskLike, ref: MaskLike, settings: Partial<MetricSettings> = {}): ImageMetrics {
  return computeImageMetrics(ref, pred, undefined, ALL, {
    settings: { nsdTolerance: 1, boundaryWidth: 1, fbetaBeta: 1, ...settings },
  });
}

function close(actual: number | undefined, expected: number, atol: number, what: string): void {
  assertClose(actual, expected, atol, what);
}

// MR test_pairwise_measures.py:17-22, figure SN 2.9: TP 45, FN 5, FP 10, TN 40 / TP 81, FN 9, FP 2, TN 8.
const pred29_1 = runs([[1, 45], [0, 5], [1, 10], [0, 40]]);
const ref29_1 = runs([[1, 50], [0, 50]]);
const pred29_2 = runs([[1, 81], [0, 9], [1, 2], [0, 8]]);
const ref29_2 = runs([[1, 90], [0, 10]]);
// :25-27, figure SN 2.17: TP 3, FP 3, TN 94 / FN 3, TN 97.
const pred217_1 = runs([[1, 6], [0, 94]]);
const pred217_2 = runs([[0, 100]]);
const ref217 = runs([[1, 3], [0, 97]]);
// :32-37, figure SN 2.10: a 4×4 square, a 2×2 square inside it, a 6×6 square around it.
const ref210 = grid(14, 14, [[5, 9, 5, 9]]);
const pred210_1 = grid(14, 14, [[6, 8, 6, 8]]);
const pred210_2 = grid(14, 14, [[4, 10, 4, 10]]);
// :42-45, figure SN 2.12: a 19×19 square and the same minus its top row.
const ref212 = grid(22, 22, [[2, 21, 2, 21]]);
const pred212 = grid(22, 22, [[3, 21, 2, 21]]);
// :50-54, figure 5c: a 3×3 square, the reference has a stray pixel at (1, 1) too.
const ref5c = grid(14, 14, [[1, 2, 1, 2], [9, 12, 9, 12]]);
const pred5c = grid(14, 14, [[9, 12, 9, 12]]);
// :75-80, figure 10: a 5×5 square; the prediction adds four 1×2 arms (a cross through its centre).
const pRef = grid(11, 11, [[3, 8, 3, 8]]);
const pPred = grid(11, 11, [[3, 8, 3, 8], [5, 6, 1, 10], [1, 10, 5, 6]]);
// :83-84, figure 27a: TP 40, FN 30, FP 1, TN 0.
const f27Ref1 = runs([[1, 70], [0, 1]]);
const f27Pred1 = runs([[1, 40], [0, 30], [1, 1]]);
// :89-120, figure SN 2.14 (clDice): a vessel tree and two partial predictions.
const REF214: [number, number, number, number][] = [
  [1, 10, 7, 12], [10, 12, 3, 19], [12, 15, 3, 5], [12, 15, 15, 19], [14, 20, 15, 17], [14, 15, 1, 5], [14, 17, 2, 3],
  [14, 19, 4, 5], [17, 18, 4, 8], [14, 15, 15, 24], [12, 15, 22, 23], [14, 17, 21, 22], [17, 20, 5, 6], [17, 22, 12, 13],
  [19, 20, 12, 17], [18, 19, 15, 20], [17, 18, 19, 20],
];
const ref214 = grid(24, 24, REF214);
const pred214_1 = grid(24, 24, [[1, 10, 7, 12], [10, 12, 3, 15]]);
// np.copy(ref214), then these slices set to 0.
const pred214_2 = grid(24, 24, [
  ...REF214,
  [10, 14, 3, 4, 0], [10, 11, 3, 9, 0], [10, 11, 10, 19, 0], [1, 11, 7, 9, 0], [1, 11, 10, 12, 0], [10, 14, 18, 19, 0],
  [12, 14, 15, 17, 0], [14, 19, 15, 16, 0],
]);
// :152-153, figure 38: TP 1499, FN 500, FP 0, TN 1.
const f38Pred = runs([[1, 1499], [0, 501]]);
const f38Ref = runs([[1, 1999], [0, 1]]);
// :305-314: an L of 3 + 2 pixels, its prediction missing the top pixel, and missing the whole stem.
const refClSmall = grid(14, 14, [[1, 4, 1, 2], [3, 4, 1, 4]]);
const predClSmall1 = grid(14, 14, [[2, 4, 1, 2], [3, 4, 1, 4]]);
const predClSmall2 = grid(14, 14, [[3, 4, 1, 4]]);

describe('Metrics Reloaded test_pairwise_measures.py: confusion counts', () => {
  test('figure SN 2.10 (test_fn_map :327, test_fp :338, test_tp :350, test_tn :362, test_n_* :374-412)', () => {
    const a = ours(pred210_1, ref210);
    const b = ours(pred210_2, ref210);
    assert.deepEqual(a.confusion, { tp: 4, fp: 0, fn: 12, tn: 180 });
    assert.deepEqual(b.confusion, { tp: 16, fp: 20, fn: 0, tn: 160 });
    // n_pos_ref 16, n_neg_ref 180, n_pos_pred 4 / 36, n_union 16 / 36, n_intersection 4 / 16;
    // n_neg_pred 192 / 160 (test_n_neg_pred :408 computes these but asserts nothing).
    assert.equal(a.ref_pixels, 16);
    assert.equal(196 - a.ref_pixels, 180);
    assert.equal(a.pred_pixels, 4);
    assert.equal(b.pred_pixels, 36);
    assert.equal(a.confusion.tp + a.confusion.fp + a.confusion.fn, 16);
    assert.equal(b.confusion.tp + b.confusion.fp + b.confusion.fn, 36);
    assert.equal(196 - a.pred_pixels, 192);
    assert.equal(196 - b.pred_pixels, 160);
  });

  test('test_confusion_matrix :473 (figure SN 3.39): [[TN 4, FN 11], [FP 6, TP 9]], prediction in rows', () => {
    const ref = grid(5, 6, [[0, 5, 0, 4]]);
    const pred = grid(5, 6, [[1, 4, 1, 6]]);
    assert.deepEqual(ours(pred, ref).confusion, { tp: 9, fp: 6, fn: 11, tn: 4 });
  });
});

describe('Metrics Reloaded test_pairwise_measures.py: counting metrics', () => {
  test('sensitivity, recall and specificity of figure SN 2.17 (test_specificity :437, test_sensitivity :723, test_recall :735)', () => {
    const a = ours(pred217_1, ref217);
    const b = ours(pred217_2, ref217);
    close(a.specificity, 0.97, 0.01, 'specificity 1'); // 94/97
    close(a.specificity, 94 / 97, 1e-12, 'specificity 1 exact');
    close(b.specificity, 1.0, 0.01, 'specificity 2');
    close(a.sensitivity, 1.0, 0.01, 'sensitivity 1');
    close(b.sensitivity, 0.0, 0.01, 'sensitivity 2'); // 0/3: an empty prediction, not an empty reference
  });

  test('test_sens :747 (figure 27a): sensitivity 0.57 = 40/70', () => {
    const m = ours(f27Pred1, f27Ref1);
    close(m.sensitivity, 0.57, 0.01, 'sensitivity');
    close(m.sensitivity, 40 / 70, 1e-12, 'sensitivity exact');
  });

  test('MCC of figure SN 2.9 (test_matthews_correlation_coefficient_29 :449): 0.70 and 0.56', () => {
    const a = ours(pred29_1, ref29_1);
    const b = ours(pred29_2, ref29_2);
    close(a.mcc, 0.7, 0.01, 'mcc 1');
    close(b.mcc, 0.56, 0.02, 'mcc 2');
    close(a.mcc, (45 * 40 - 10 * 5) / Math.sqrt(55 * 50 * 50 * 45), 1e-12, 'mcc 1 exact');
    close(b.mcc, (81 * 8 - 2 * 9) / Math.sqrt(83 * 90 * 10 * 17), 1e-12, 'mcc 2 exact');
  });

  test('MCC and κ of figure 38 (test_matthews_correlation_coefficient :461, test_cohenskappa2 :541, test_cohenskappa3 :594)', () => {
    const m = ours(f38Pred, f38Ref);
    close(m.mcc, 0.0386, 0.001, 'mcc');
    close(m.mcc, 1499 / Math.sqrt(1499 * 1999 * 1 * 501), 1e-12, 'mcc exact');
    // test_cohenskappa3 is MR's weighted κ over the labels [0, 1]: with two labels and 0/1 weights it is κ itself.
    close(m.kappa, 0.003, 0.001, 'kappa');
    close(m.kappa, (2 * (1499 * 1 - 0 * 500)) / (1499 * 1 + 1999 * 501), 1e-12, 'kappa exact');
  });

  test('κ of figure SN 2.9 (test_cohenskappa :582): 0.70 and 0.53', () => {
    const a = ours(pred29_1, ref29_1);
    const b = ours(pred29_2, ref29_2);
    close(a.kappa, 0.7, 0.01, 'kappa 1');
    close(b.kappa, 0.53, 0.01, 'kappa 2');
    // p_o = 0.85, p_e = 0.5 / 2(TP·TN − FN·FP) / ((TP+FP)(FP+TN) + (TP+FN)(FN+TN)).
    close(a.kappa, (0.85 - 0.5) / (1 - 0.5), 1e-12, 'kappa 1 exact');
    close(b.kappa, (2 * (81 * 8 - 9 * 2)) / (83 * 10 + 90 * 17), 1e-12, 'kappa 2 exact');
  });

  test('NPV of figure SN 2.9 (test_negative_predictive_value :550): 0.889 and 0.47', () => {
    const a = ours(pred29_1, ref29_1);
    const b = ours(pred29_2, ref29_2);
    close(a.npv, 0.889, 0.001, 'npv 1');
    close(b.npv, 0.47, 0.01, 'npv 2');
    close(a.npv, 40 / 45, 1e-12, 'npv 1 exact');
    close(b.npv, 8 / 17, 1e-12, 'npv 2 exact');
  });

  test('PPV and F1 of figure SN 2.9 (test_positive_predictive_value :755, test_fbeta :645, test_fbeta_beta_value :709)', () => {
    const a = ours(pred29_1, ref29_1);
    const b = ours(pred29_2, ref29_2);
    close(a.precision, 0.82, 0.01, 'ppv 1');
    close(b.precision, 0.98, 0.01, 'ppv 2');
    close(a.fbeta, 0.86, 0.01, 'f1 1');
    close(b.fbeta, 0.94, 0.01, 'f1 2');
    close(a.fbeta, 90 / 105, 1e-12, 'f1 1 exact');
    close(b.fbeta, 162 / 173, 1e-12, 'f1 2 exact');
    // β = 1 is Dice (MR's docstring of fbeta); our default β of 2 gives 5·45 / (5·45 + 4·5 + 10) = 225/255.
    assert.equal(a.fbeta, a.dice, 'f1 is dice');
    close(ours(pred29_1, ref29_1, { fbetaBeta: 2 }).fbeta, 225 / 255, 1e-12, 'f2');
  });

  test('Dice, F1 and IoU of figure 10 (test_dsc_fbeta :656, test_intersection_over_union :701): 0.862, 0.76', () => {
    const m = ours(pPred, pRef);
    close(m.fbeta, 0.862, 0.001, 'fbeta');
    close(m.dice, 0.862, 0.001, 'dice');
    close(m.iou, 0.76, 0.01, 'iou');
    // |R| = 25 inside |P| = 33.
    close(m.dice, 50 / 58, 1e-12, 'dice exact');
    close(m.iou, 25 / 33, 1e-12, 'iou exact');
  });

  test('Dice of figure SN 2.14 (test_dsc_s214 :892): 0.666 and 0.685', () => {
    close(ours(pred214_1, ref214).dice, 0.666, 0.01, 'dice 1');
    close(ours(pred214_2, ref214).dice, 0.685, 0.01, 'dice 2');
  });

  test('test_voldiff :427: AVDR of two shifted 2×2 squares is 0 (our |rvd| and avd)', () => {
    const m = ours(grid(14, 14, [[3, 5, 3, 5]]), grid(14, 14, [[2, 4, 2, 4]]));
    close(m.rvd, 0, 1e-9, 'rvd');
    close(m.avd, 0, 1e-9, 'avd');
    close(m.volume_similarity, 1, 1e-9, 'volume similarity');
  });

  test('test_empty_reference :923: Fβ 1 when both are empty, sensitivity and specificity undefined', () => {
    const both = ours(runs([[0, 1]]), runs([[0, 1]]));
    assert.equal(both.fbeta, 1);
    assert.equal(both.sensitivity, undefined); // MR: nan
    assert.equal(ours(runs([[1, 1]]), runs([[1, 1]])).specificity, undefined); // MR: nan
  });
});

describe('Metrics Reloaded test_pairwise_measures.py: surface distances (same border rule)', () => {
  test('figure 10 (test_assd :669, test_masd :677): ASSD 0.44, MASD 0.425', () => {
    const m = ours(pPred, pRef);
    close(m.assd, 0.44, 0.01, 'assd');
    close(m.masd, 0.425, 0.001, 'masd');
    // 16 reference border pixels (4 at distance 1 where the arms join), 20 predicted (arms: 4 at 1, 4 at 2).
    close(m.assd, (4 + 12) / 36, 1e-12, 'assd exact');
    close(m.masd, (4 / 16 + 12 / 20) / 2, 1e-12, 'masd exact');
    close(m.hd, 2, 1e-12, 'hd');
  });

  test('figure SN 2.10 (test_hausdorff_distances_s210 :781, test_masd_s210 :792, test_assd_s210 :803)', () => {
    const a = ours(pred210_1, ref210);
    const b = ours(pred210_2, ref210);
    close(a.hd, 1.41, 0.01, 'hd 1');
    close(b.hd, 1.41, 0.01, 'hd 2');
    close(a.masd, 1.07, 0.01, 'masd 1');
    close(b.masd, 1.04, 0.01, 'masd 2');
    close(a.assd, 1.1, 0.01, 'assd 1');
    close(b.assd, 1.05, 0.01, 'assd 2');
    // Inner square: its 4 border pixels lie 1 from R's; R's 12 lie √2 (corners) or 1 from P's.
    close(a.assd, (4 * SQRT2 + 8 + 4) / 16, 1e-12, 'assd 1 exact');
    close(a.masd, ((4 * SQRT2 + 8) / 12 + 1) / 2, 1e-12, 'masd 1 exact');
    // Outer square: R's 12 lie 1 from P's; P's 20 lie √2 (corners) or 1 from R's.
    close(b.assd, (12 + 4 * SQRT2 + 16) / 32, 1e-12, 'assd 2 exact');
    close(b.masd, (1 + (4 * SQRT2 + 16) / 20) / 2, 1e-12, 'masd 2 exact');
    close(a.hd, SQRT2, 1e-12, 'hd 1 exact');
    close(b.hd, SQRT2, 1e-12, 'hd 2 exact');
  });

  test('figure 5c (test_hausdorff_distance_5c :823): HD 11.31, HD95 6.79', () => {
    const m = ours(pred5c, ref5c);
    close(m.hd, 11.31, 0.01, 'hd');
    close(m.hd95, 6.79, 0.01, 'hd95');
    // R's 9 border distances are eight 0s and 8√2 (the stray pixel): numpy's 95th percentile sits at
    // index 8 · 0.95 = 7.6, i.e. 0.6 · 8√2; P → R is all 0.
    close(m.hd, 8 * SQRT2, 1e-12, 'hd exact');
    close(m.hd95, 0.6 * 8 * SQRT2, 1e-12, 'hd95 exact');
  });

  test('empty masks (test_distance_empty :634, _empty_ref :837, _empty_pred :845, _empty_pred_and_ref :854)', () => {
    for (const [what, pred, ref] of [
      ['14×14 both empty', grid(14, 14, []), grid(14, 14, [])],
      ['figure SN 2.9 both empty', empty(pred29_1), empty(ref29_1)],
    ] as const) {
      const m = ours(pred, ref);
      assert.deepEqual([m.hd, m.hd95, m.masd, m.assd], [0, 0, 0, 0], what);
    }
    for (const [what, pred, ref] of [
      ['empty reference', pred29_1, empty(ref29_1)],
      ['empty prediction', empty(pred29_1), ref29_1],
    ] as const) {
      const m = ours(pred, ref);
      // MR: nan; RESULTS.md: undefined (an empty cell).
      assert.deepEqual([m.hd, m.hd95, m.masd, m.assd], [undefined, undefined, undefined, undefined], what);
    }
  });
});

describe('Metrics Reloaded test_pairwise_measures.py: NSD (our corner-grid surface, not their pixel borders)', () => {
  // Our surface: on the pixel-corner grid, a straight corner of a square weighs 1, a convex or
  // concave one √2/2 (half a diagonal); distances run corner to corner. MR's NSD counts border pixels.
  test('figure SN 2.10 (test_nsd_s210 :811, τ 1): ours 0.8694 and 0.9249, MR 0.75 and 0.875', () => {
    // R's outline: 12 straight corners + 4 convex. Inner 2×2 (P): 4 straight + 4 convex, all 1 from
    // R's outline; R's straight corners are 1 from P's, its convex ones √2 (out at τ 1).
    // MR: R's 12 border pixels, 8 within 1 of P's 4 (corners at √2), P's 4 all within: 12/16 = 0.75.
    const a = ours(pred210_1, ref210);
    close(a.nsd, (12 + 4 + 2 * SQRT2) / (12 + 2 * SQRT2 + 4 + 2 * SQRT2), 1e-12, 'nsd 1');
    // Outer 6×6 (P): 20 straight corners 1 from R's, 4 convex √2 (out); all of R's within 1.
    // MR: R's 12 all within, P's 20 less its 4 corners: (12 + 16)/32 = 0.875.
    const b = ours(pred210_2, ref210);
    close(b.nsd, (12 + 2 * SQRT2 + 20) / (12 + 2 * SQRT2 + 20 + 2 * SQRT2), 1e-12, 'nsd 2');
  });

  test('figure 10 (test_nsd :685 at τ 1, test_nsd2 :693 at τ 2): ours 0.8845 and 1, MR 0.89 and 1.0', () => {
    // R: 16 straight + 4 convex corners = 16 + 2√2, all on P's outline too (distance 0). P: per side
    // 2 straight + 2 concave corners on the square, 2 straight arm sides (1 from R) and 2 arm-tip
    // corners (2 from R, out at τ 1), plus the square's 4 convex corners: 16 + 10√2 in all.
    // MR: R's 16 border pixels within 1, P's 20 less the 4 arm tips at 2: 32/36 = 0.889.
    const m = ours(pPred, pRef);
    close(m.nsd, (16 + 2 * SQRT2 + 16 + 10 * SQRT2 - 4 * SQRT2) / (16 + 2 * SQRT2 + 16 + 10 * SQRT2), 1e-12, 'nsd τ 1');
    close(m.nsd, 0.89, 0.01, 'nsd τ 1 is within MR’s own tolerance of 0.89');
    close(ours(pPred, pRef, { nsdTolerance: 2 }).nsd, 1.0, 1e-12, 'nsd τ 2');
  });

  test('test_empty_ref_pred_nsd_biou :874: NSD and boundary IoU are 1 when both are empty', () => {
    const m = ours(grid(14, 14, []), grid(14, 14, []));
    assert.equal(m.nsd, 1);
    assert.equal(m.boundary_iou, 1);
  });
});

describe('Metrics Reloaded test_pairwise_measures.py: boundary IoU and clDice', () => {
  test('figure SN 2.12 (test_boundary_iou :862): band 1 → 0.6, band 2 → 0.8', () => {
    // MR's band (EDT < d from the cross border) and ours (mask − (2d+1)-square erosion) are the
    // same rings of a rectangle. d 1: R's ring 72, P's 70, shared: row 20 (19) + columns 2 and
    // 20 over rows 3–19 (2 × 17) = 53. d 2: rings 136 and 132; shared: columns 2, 3, 19, 20 over
    // rows 3–20 (72) + rows 3, 19, 20 over columns 4–18 (45) = 117.
    const a = ours(pred212, ref212, { boundaryWidth: 1 });
    const b = ours(pred212, ref212, { boundaryWidth: 2 });
    close(a.boundary_iou, 0.6, 0.1, 'biou 1');
    close(b.boundary_iou, 0.8, 0.1, 'biou 2');
    close(a.boundary_iou, 53 / (72 + 70 - 53), 1e-12, 'biou 1 exact');
    close(b.boundary_iou, 117 / (136 + 132 - 117), 1e-12, 'biou 2 exact');
    // MR's default band (1) is also our `auto` width here: round(0.02 × √(22² + 22²)) = 1.
    close(ours(pred212, ref212, { boundaryWidth: 'auto' }).boundary_iou, 53 / 89, 1e-12, 'biou auto');
  });

  test('figure SN 2.14 (test_cldsc_s214 :884): clDice 0.475 and 0.78', () => {
    close(ours(pred214_1, ref214).cldice, 0.475, 0.01, 'cldice 1');
    close(ours(pred214_2, ref214).cldice, 0.78, 0.01, 'cldice 2');
  });

  test('small L (test_cldsc :900): clDice 0.86 and 0.67', () => {
    close(ours(predClSmall1, refClSmall).cldice, 0.86, 0.01, 'cldice small 1');
    close(ours(predClSmall2, refClSmall).cldice, 0.67, 0.01, 'cldice small 2');
  });
});

describe('Metrics Reloaded test_prob_pairwise_measures.py', () => {
  test('test_auroc :17 (figure SN 2.18): AUROC 0.78 = 7/9', () => {
    const ref = runs([[0, 3], [1, 3]]);
    const prob = Float32Array.from([0.21, 0.35, 0.63, 0.92, 0.32, 0.79]);
    const thresholded = Uint8Array.from(prob, (p) => (p >= 0.5 ? 1 : 0)); // AUROC does not read it
    const m = computeImageMetrics(ref, thresholded, prob, ['auroc']);
    close(m.auroc, 0.78, 0.01, 'auroc');
    // 0.92 and 0.79 beat all three negatives, 0.32 beats 0.21 only.
    close(m.auroc, 7 / 9, 1e-12, 'auroc exact');
  });
});
