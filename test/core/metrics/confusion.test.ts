import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { computeConfusion, overlapMetrics, addConfusion, emptyConfusion } from '../../../server/src/core/metrics';
import { maskFromRows } from './bruteforce';

// 4×4 example counted by hand: R is the 2×2 centre, P shifts one pixel of it to the right.
const ref = maskFromRows(['0000', '0110', '0110', '0000']);
const pred = maskFromRows(['0000', '0111', '0010', '0000']);

describe('computeConfusion', () => {
  test('counts the 4×4 example by hand: tp 3, fp 1, fn 1, tn 11', () => {
    assert.deepEqual(computeConfusion(ref, pred), { tp: 3, fp: 1, fn: 1, tn: 11 });
  });

  test('treats any non-zero byte as foreground', () => {
    const ref255 = ref.map((v) => v * 255);
    assert.deepEqual(computeConfusion(ref255, pred), { tp: 3, fp: 1, fn: 1, tn: 11 });
  });

  test('rejects masks of different lengths', () => {
    assert.throws(() => computeConfusion(new Uint8Array(4), new Uint8Array(5)), RangeError);
  });

  test('matches per-pixel counting on random masks', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.boolean()), { minLength: 0, maxLength: 300 }), (pairs) => {
        const r = Uint8Array.from(pairs, ([a]) => (a ? 1 : 0));
        const p = Uint8Array.from(pairs, ([, b]) => (b ? 1 : 0));
        const expected = {
          tp: pairs.filter(([a, b]) => a && b).length,
          fp: pairs.filter(([a, b]) => !a && b).length,
          fn: pairs.filter(([a, b]) => a && !b).length,
          tn: pairs.filter(([a, b]) => !a && !b).length,
        };
        assert.deepEqual(computeConfusion(r, p), expected);
      }),
      { seed: 11, numRuns: 200 },
    );
  });
});

describe('overlapMetrics', () => {
  test('derives the 4×4 example metrics by hand', () => {
    const m = overlapMetrics({ tp: 3, fp: 1, fn: 1, tn: 11 });
    assert.equal(m.dice, 6 / 8);
    assert.equal(m.iou, 3 / 5);
    assert.equal(m.sensitivity, 3 / 4);
    assert.equal(m.specificity, 11 / 12);
    assert.equal(m.precision, 3 / 4);
  });

  test('both empty: dice = iou = 1, sensitivity and precision undefined, specificity 1', () => {
    assert.deepEqual(overlapMetrics({ tp: 0, fp: 0, fn: 0, tn: 9 }), {
      dice: 1,
      iou: 1,
      sensitivity: undefined,
      specificity: 1,
      precision: undefined,
    });
  });

  test('R empty, P not: sensitivity undefined, dice 0, precision 0', () => {
    assert.deepEqual(overlapMetrics({ tp: 0, fp: 2, fn: 0, tn: 7 }), {
      dice: 0,
      iou: 0,
      sensitivity: undefined,
      specificity: 7 / 9,
      precision: 0,
    });
  });

  test('P empty, R not: precision undefined, sensitivity 0', () => {
    assert.deepEqual(overlapMetrics({ tp: 0, fp: 0, fn: 3, tn: 6 }), {
      dice: 0,
      iou: 0,
      sensitivity: 0,
      specificity: 1,
      precision: undefined,
    });
  });

  test('R covers the image: specificity undefined', () => {
    assert.deepEqual(overlapMetrics({ tp: 5, fp: 0, fn: 4, tn: 0 }), {
      dice: 10 / 14,
      iou: 5 / 9,
      sensitivity: 5 / 9,
      specificity: undefined,
      precision: 1,
    });
  });

  test('never returns NaN, and dice = 2·iou/(1+iou) whenever defined', () => {
    const count = fc.integer({ min: 0, max: 50 });
    fc.assert(
      fc.property(count, count, count, count, (tp, fp, fn, tn) => {
        const m = overlapMetrics({ tp, fp, fn, tn });
        for (const v of Object.values(m)) assert.ok(v === undefined || (v >= 0 && v <= 1));
        assert.ok(Math.abs(m.dice - (2 * m.iou) / (1 + m.iou)) < 1e-12);
      }),
      { seed: 12, numRuns: 300 },
    );
  });

  test('addConfusion sums counts', () => {
    const total = addConfusion(addConfusion(emptyConfusion(), { tp: 1, fp: 2, fn: 3, tn: 4 }), { tp: 10, fp: 20, fn: 30, tn: 40 });
    assert.deepEqual(total, { tp: 11, fp: 22, fn: 33, tn: 44 });
  });
});
