import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { PooledCounts, ScoreHistogram, computeConfusion } from '../../../server/src/core/metrics';
import { bruteAuroc } from './bruteforce';

const ref1 = Uint8Array.from([1, 1, 0, 0, 0]);
const pred1 = Uint8Array.from([1, 0, 1, 0, 0]);
const prob1 = Float32Array.from([0.9, 0.3, 0.6, 0.3, 0.1]);
const ref2 = Uint8Array.from([0, 1, 1]);
const pred2 = Uint8Array.from([0, 1, 1]);
const prob2 = Float32Array.from([0.2, 0.7, 0.3]);

describe('PooledCounts', () => {
  test('sums confusion counts: pooled dice = 2·Σtp / (Σ|R| + Σ|P|)', () => {
    const pooled = new PooledCounts().addImage(ref1, pred1).addImage(ref2, pred2);
    // image 1: tp 1, fp 1, fn 1, tn 2; image 2: tp 2, tn 1
    assert.deepEqual(pooled.confusion, { tp: 3, fp: 1, fn: 1, tn: 3 });
    assert.equal(pooled.overlap().dice, 6 / 8);
    assert.equal(pooled.images, 2);
    assert.equal(pooled.auroc(), undefined);
    assert.equal(pooled.scores, undefined);
  });

  test('pooled AUROC is the AUROC of all pixels together', () => {
    const pooled = new PooledCounts().addImage(ref1, pred1, prob1).addImage(ref2, pred2, prob2);
    const levels = (p: Float32Array) => Array.from(p, (v) => Math.round(v * 65535));
    const expected = bruteAuroc([...levels(prob1), ...levels(prob2)], [...ref1, ...ref2]);
    // hand: positives .9 .3 .7 .3 vs negatives .6 .3 .1 .2 → 4 + 2.5 + 4 + 2.5 wins of 16 pairs
    assert.equal(expected, 13 / 16);
    assert.ok(Math.abs(pooled.auroc()! - expected!) < 1e-15);
  });

  test('add(confusion, histogram) and merge give the same sums as addImage', () => {
    const a = new PooledCounts().add(computeConfusion(ref1, pred1), new ScoreHistogram().add(prob1, ref1));
    const b = new PooledCounts().addImage(ref2, pred2, prob2);
    a.merge(b);
    const direct = new PooledCounts().addImage(ref1, pred1, prob1).addImage(ref2, pred2, prob2);
    assert.deepEqual(a.confusion, direct.confusion);
    assert.equal(a.images, 2);
    assert.equal(a.auroc(), direct.auroc());
  });
});
