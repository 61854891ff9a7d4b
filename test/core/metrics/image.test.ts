import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { computeImageMetrics, PooledCounts, type MaskLike } from '../../../server/src/core/metrics';
import { METRIC_NAMES } from '../../../server/src/core/config/types';
import { maskFromRows } from './bruteforce';

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
