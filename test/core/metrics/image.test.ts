import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { computeImageMetrics, PooledCounts, type MaskLike } from '../../../server/src/core/metrics';
import { DEFAULT_METRICS as METRIC_NAMES } from '../../../server/src/core/config/types';
import { assertClose, maskFromRows } from './bruteforce';

const ref: MaskLike = { width: 4, height: 4, depth: 1, data: maskFromRows(['0000', '0110', '0110', '0000']) };
const predData = maskFromRows(['0000', '0111', '0010', '0000']);
// Reference pixels (1,1) (2,1) (1,2) (2,2) get 0.9 0.8 0.4 0.8; background 0.1 but (3,1) 0.8 and (3,2) 0.4.
const prob = Float32Array.from([0.1, 0.1, 0.1, 0.1, 0.1, 0.9, 0.8, 0.8, 0.1, 0.4, 0.8, 0.4, 0.1, 0.1, 0.1, 0.1]);

describe('computeImageMetrics', () => {
  test('all seven metrics of the hand-computed 4×4 example', () => {
    const m = computeImageMetrics(ref, predData, prob, METRIC_NAMES);
    assert.equal(m.dice, 0.75);
    assert.equal(m.iou, 0.6);
    assert.equal(m.sensitivity, 0.75);
    assert.equal(m.specificity, 11 / 12);
    assert.equal(m.precision, 0.75);
    assert.equal(m.auroc, 45.5 / 48);
    assert.ok(Math.abs(m.hd95! - 0.85) < 1e-12);
    assert.equal(m.ref_pixels, 4);
    assert.equal(m.pred_pixels, 4);
    assert.deepEqual(m.confusion, { tp: 3, fp: 1, fn: 1, tn: 11 });
  });

  test('only wanted metrics appear; auroc is absent without probabilities', () => {
    const m = computeImageMetrics(ref, { ...ref, data: predData }, undefined, ['dice', 'auroc']);
    assert.deepEqual(Object.keys(m).sort(), ['confusion', 'dice', 'pred_pixels', 'ref_pixels']);
  });

  test('undefined metrics keep their key with value undefined (empty prediction)', () => {
    const m = computeImageMetrics(ref, new Uint8Array(16), prob, METRIC_NAMES);
    assert.ok('precision' in m && m.precision === undefined);
    assert.ok('hd95' in m && m.hd95 === undefined);
    assert.equal(m.dice, 0);
    assert.equal(m.auroc, 45.5 / 48);
  });

  test('hd95 uses the reference spacing, or the spacing option', () => {
    const spaced = computeImageMetrics({ ...ref, spacing: [2, 1, 1] }, predData, undefined, ['hd95']);
    assert.ok(Math.abs(spaced.hd95! - 1.7) < 1e-12);
    const overridden = computeImageMetrics({ ...ref, spacing: [2, 1, 1] }, predData, undefined, ['hd95'], { spacing: [1, 1, 1] });
    assert.ok(Math.abs(overridden.hd95! - 0.85) < 1e-12);
  });

  test('the further metrics of the same 4×4 example, by hand', () => {
    // TP 3, FP 1, FN 1, TN 11. Borders: every pixel of both; R's (1,2) and P's (3,1) are 1 away.
    // Skeletons (scikit-image's table): R keeps its top row (1,1) (2,1); P loses (2,2) and keeps
    // its top row: precision 2/3, sensitivity 1, clDice 0.8. Band width 1 covers both masks.
    const m = computeImageMetrics(ref, predData, undefined, ['mcc', 'npv', 'kappa', 'fbeta', 'volume_similarity', 'rvd', 'avd', 'hd', 'assd', 'masd', 'boundary_iou', 'cldice', 'nsd'], {
      settings: { nsdTolerance: 100, boundaryWidth: 1, fbetaBeta: 2 },
    });
    assertClose(m.mcc, 32 / 48, 1e-15, 'mcc');
    assertClose(m.npv, 11 / 12, 1e-15, 'npv');
    assertClose(m.kappa, 64 / 96, 1e-15, 'kappa');
    assertClose(m.fbeta, 15 / 20, 1e-15, 'fbeta');
    assert.equal(m.volume_similarity, 1);
    assert.equal(m.rvd, 0);
    assert.equal(m.avd, 0);
    assert.equal(m.hd, 1);
    assert.equal(m.assd, 0.25);
    assert.equal(m.masd, 0.25);
    assertClose(m.boundary_iou, 0.6, 1e-15, 'boundary IoU');
    assertClose(m.cldice, 0.8, 1e-15, 'clDice');
    assert.equal(m.nsd, 1, 'every surface element is within τ = 100');
    assert.ok(!('dice' in m) && !('hd95' in m), 'only the wanted metrics');
  });

  test('avd is in mL with a voxel volume; volumes get NSD on the corner grid', () => {
    const empty = computeImageMetrics(ref, new Uint8Array(16), undefined, ['avd', 'rvd'], { voxelMl: 0.003 });
    assertClose(empty.avd, 4 * 0.003, 1e-15, 'avd mL');
    assert.equal(empty.rvd, -1);
    // a 4-voxel line along x in a 4×3×3 volume is its own (Lee) skeleton
    const line = new Uint8Array(36);
    for (let x = 0; x < 4; x++) line[(1 * 3 + 1) * 4 + x] = 1;
    const volume: MaskLike = { width: 4, height: 3, depth: 3, data: line };
    const m = computeImageMetrics(volume, volume.data, undefined, ['nsd', 'cldice', 'boundary_iou', 'dice']);
    assert.equal(m.nsd, 1, 'identical volumes: every surfel at distance 0');
    assert.equal(m.cldice, 1, 'identical volumes');
    assert.equal(m.boundary_iou, 1);
    assert.equal(m.dice, 1);
    // Lee's thinning removes a 2×1×2 plate entirely (as scikit-image does): clDice is then undefined
    const plate: MaskLike = { width: 2, height: 2, depth: 2, data: Uint8Array.from([1, 1, 0, 0, 1, 1, 0, 0]) };
    const p = computeImageMetrics(plate, plate.data, undefined, ['cldice']);
    assert.ok('cldice' in p && p.cldice === undefined);
    // The same line at y = 1 and at y = 3 (z = 1) of a 4×6×3 volume: each line's surfels lie on the
    // corner rows y = 1, 2 (resp. 3, 4) with equal area on both rows (mirror symmetry), and only
    // the facing rows 2 and 3 are within τ = 1 voxel of the other surface: NSD = 1/2.
    const lineAt = (y: number) => {
      const mask = new Uint8Array(72);
      for (let x = 0; x < 4; x++) mask[(1 * 6 + y) * 4 + x] = 1;
      return mask;
    };
    const apart = computeImageMetrics({ width: 4, height: 6, depth: 3, data: lineAt(1) }, lineAt(3), undefined, ['nsd']);
    assertClose(apart.nsd, 0.5, 1e-12, 'nsd of two lines two voxels apart');
    const missed = computeImageMetrics({ width: 4, height: 6, depth: 3, data: lineAt(1) }, new Uint8Array(72), undefined, ['nsd']);
    assert.equal(missed.nsd, 0, 'an empty prediction (RESULTS.md)');
  });

  test('adds counts and scores to a pooled accumulator', () => {
    const pooled = new PooledCounts();
    computeImageMetrics(ref, predData, prob, ['dice'], { pooled });
    computeImageMetrics(ref, predData, undefined, ['dice'], { pooled });
    assert.equal(pooled.images, 2);
    assert.deepEqual(pooled.confusion, { tp: 6, fp: 2, fn: 2, tn: 22 });
    assert.equal(pooled.scores!.positiveCount, 4);
    assert.equal(pooled.auroc(), 45.5 / 48);
  });

  test('rejects a prediction or probability map of another size', () => {
    assert.throws(() => computeImageMetrics(ref, new Uint8Array(15), undefined, ['dice']), RangeError);
    assert.throws(() => computeImageMetrics(ref, { width: 2, height: 8, depth: 1, data: predData }, undefined, ['dice']), RangeError);
    assert.throws(() => computeImageMetrics(ref, predData, new Float32Array(3), ['auroc']), RangeError);
  });
});
