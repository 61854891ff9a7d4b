import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { imageAuroc, ScoreHistogram, scoreBin, SCORE_BINS } from '../../../server/src/core/metrics';
import { SORT_LIMIT } from '../../../server/src/core/metrics/imageAuroc';
import { bruteAuroc } from './bruteforce';

/** Random pixels with 16-bit scores stored as float32 q/65535, as read back from a probability PNG. */
const pixels = fc
  .tuple(fc.integer({ min: 1, max: 120 }), fc.constantFrom(65535, 255, 7, 1))
  .chain(([n, levels]) =>
    fc.tuple(
      fc.array(fc.integer({ min: 0, max: levels }).map((k) => Math.round((k * 65535) / levels)), { minLength: n, maxLength: n }),
      fc.array(fc.integer({ min: 0, max: 1 }), { minLength: n, maxLength: n }),
    ),
  );

function toFloat32(levels: number[]): Float32Array {
  return Float32Array.from(levels, (q) => q / 65535);
}

describe('ScoreHistogram', () => {
  test('hand example: 4 positives, 12 negatives, ties counted half → 45.5/48', () => {
    // positives 0.9, 0.8, 0.8, 0.4; negatives ten 0.1, one 0.8, one 0.4
    const prob = Float32Array.from([0.9, 0.8, 0.8, 0.4, 0.8, 0.4, ...Array(10).fill(0.1)]);
    const ref = Uint8Array.from([1, 1, 1, 1, 0, 0, ...Array(10).fill(0)]);
    const h = new ScoreHistogram().add(prob, ref);
    assert.equal(h.positiveCount, 4);
    assert.equal(h.negativeCount, 12);
    assert.equal(h.auroc(), 45.5 / 48);
  });

  test('agrees exactly with the all-pairs count on 16-bit scores', () => {
    fc.assert(
      fc.property(pixels, ([levels, labels]) => {
        const h = new ScoreHistogram().add(toFloat32(levels), Uint8Array.from(labels));
        const expected = bruteAuroc(levels, labels);
        const actual = h.auroc();
        if (expected === undefined) assert.equal(actual, undefined);
        else assert.ok(Math.abs(actual! - expected) < 1e-12, `${actual} vs ${expected}`);
      }),
      { seed: 21, numRuns: 300 },
    );
  });

  test('addQuantised (16-bit values as bins) agrees with the all-pairs count and fills the same bins as add(q / 65535)', () => {
    fc.assert(
      fc.property(pixels, ([levels, labels]) => {
        const ref = Uint8Array.from(labels);
        const h = new ScoreHistogram().addQuantised(Uint16Array.from(levels), ref);
        const expected = bruteAuroc(levels, labels);
        if (expected === undefined) assert.equal(h.auroc(), undefined);
        else assert.ok(Math.abs(h.auroc()! - expected) < 1e-12);
        const viaFloats = new ScoreHistogram().add(toFloat32(levels), ref);
        assert.deepEqual(Array.from(h.positives.filter((c) => c > 0)), Array.from(viaFloats.positives.filter((c) => c > 0)));
        assert.equal(h.positiveCount, viaFloats.positiveCount);
        assert.equal(h.negativeCount, viaFloats.negativeCount);
        for (const q of levels) assert.equal(h.positives[q] + h.negatives[q], viaFloats.positives[q] + viaFloats.negatives[q]);
      }),
      { seed: 23, numRuns: 200 },
    );
  });

  test('imageAuroc agrees with the all-pairs count by sorting (small images) and by histogram (large), from floats and from 16-bit values', () => {
    fc.assert(
      fc.property(pixels, ([levels, labels]) => {
        const expected = bruteAuroc(levels, labels);
        for (const scores of [toFloat32(levels), Uint16Array.from(levels)]) {
          const actual = imageAuroc(scores, Uint8Array.from(labels));
          if (expected === undefined) assert.equal(actual, undefined);
          else assert.ok(Math.abs(actual! - expected) < 1e-12, `${actual} vs ${expected}`);
        }
      }),
      { seed: 24, numRuns: 200 },
    );
    // Beyond SORT_LIMIT pixels (histogram path): 5,000 pixels with many ties, against the pair count.
    const n = SORT_LIMIT + 904;
    const levels = Array.from({ length: n }, (_, i) => ((i * 7919) % 37) * 1000);
    const labels = Array.from({ length: n }, (_, i) => ((i * 104729) % 11 < 4 + (levels[i] > 18000 ? 3 : 0) ? 1 : 0));
    const expected = bruteAuroc(levels, labels)!;
    assert.ok(Math.abs(imageAuroc(Uint16Array.from(levels), Uint8Array.from(labels))! - expected) < 1e-12);
    assert.ok(Math.abs(imageAuroc(toFloat32(levels), Uint8Array.from(labels))! - expected) < 1e-12);
    assert.ok(expected > 0.6 && expected < 0.9, `a non-trivial AUROC (${expected})`);
  });

  test('merging histograms equals one histogram of all pixels (pooled AUROC)', () => {
    fc.assert(
      fc.property(pixels, pixels, ([l1, r1], [l2, r2]) => {
        const a = new ScoreHistogram().add(toFloat32(l1), Uint8Array.from(r1));
        const b = new ScoreHistogram().add(toFloat32(l2), Uint8Array.from(r2));
        a.merge(b);
        const expected = bruteAuroc([...l1, ...l2], [...r1, ...r2]);
        assert.equal(a.positiveCount + a.negativeCount, l1.length + l2.length);
        if (expected === undefined) assert.equal(a.auroc(), undefined);
        else assert.ok(Math.abs(a.auroc()! - expected) < 1e-12);
      }),
      { seed: 22, numRuns: 100 },
    );
  });

  test('undefined without positives or without negatives; clear() empties', () => {
    const prob = Float32Array.from([0.2, 0.7]);
    assert.equal(new ScoreHistogram().add(prob, Uint8Array.from([0, 0])).auroc(), undefined);
    assert.equal(new ScoreHistogram().add(prob, Uint8Array.from([1, 1])).auroc(), undefined);
    const h = new ScoreHistogram().add(prob, Uint8Array.from([0, 1]));
    assert.equal(h.auroc(), 1);
    h.clear();
    assert.equal(h.auroc(), undefined);
    assert.equal(h.positiveCount + h.negativeCount, 0);
  });

  test('every 16-bit level read back as float32 lands in its own bin; out-of-range scores clamp', () => {
    assert.equal(SCORE_BINS, 65536);
    for (let q = 0; q < 65536; q++) {
      if (scoreBin(Math.fround(q / 65535)) !== q) assert.fail(`level ${q} → bin ${scoreBin(Math.fround(q / 65535))}`);
    }
    assert.equal(scoreBin(-0.5), 0);
    assert.equal(scoreBin(1.5), 65535);
    assert.equal(scoreBin(Number.NaN), 0);
    assert.equal(scoreBin(0.5), 32768); // 32767.5 rounds half up
  });

  test('addScore matches add', () => {
    const h = new ScoreHistogram().addScore(0.3, true).addScore(0.3, false).addScore(0.1, false);
    assert.equal(h.auroc(), (1 + 0.5) / 2);
  });

  test('rocCurve runs from (0,0) to (1,1), monotone, and its trapezoid area is the AUROC', () => {
    fc.assert(
      fc.property(pixels, ([levels, labels]) => {
        const h = new ScoreHistogram().add(toFloat32(levels), Uint8Array.from(labels));
        const curve = h.rocCurve(100000);
        if (h.auroc() === undefined) {
          assert.equal(curve, undefined);
          return;
        }
        const { fpr, tpr } = curve!;
        assert.deepEqual([fpr[0], tpr[0]], [0, 0]);
        assert.deepEqual([fpr.at(-1), tpr.at(-1)], [1, 1]);
        let area = 0;
        for (let i = 1; i < fpr.length; i++) {
          assert.ok(fpr[i] >= fpr[i - 1] && tpr[i] >= tpr[i - 1]);
          area += ((fpr[i] - fpr[i - 1]) * (tpr[i] + tpr[i - 1])) / 2;
        }
        assert.ok(Math.abs(area - h.auroc()!) < 1e-12);
      }),
      { seed: 23, numRuns: 100 },
    );
  });

  test('rocCurve thins to maxPoints and keeps the end points', () => {
    const n = 5000;
    const prob = Float32Array.from({ length: n }, (_, i) => i / n);
    const ref = Uint8Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const curve = new ScoreHistogram().add(prob, ref).rocCurve(50)!;
    assert.equal(curve.fpr.length, 50);
    assert.deepEqual([curve.fpr[0], curve.tpr[0], curve.thresholds[0]], [0, 0, Infinity]);
    assert.deepEqual([curve.fpr[49], curve.tpr[49]], [1, 1]);
  });
});
