import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { drawMix, labelFrequencies, mixScenarios, targetCounts } from '../../../server/src/core/stress/labelMixes';
import { createRandom } from '../../../server/src/core/util/random';

// a: 10 images, b: 6, c: 4 (frequency order a, b, c)
const FREQ = [
  { value: 'a', images: 10 },
  { value: 'b', images: 6 },
  { value: 'c', images: 4 },
];
const sharesOf = (s: { shares: { value: string; share: number }[] }) => s.shares.map((x) => x.share);
const close = (actual: number[], expected: number[]) => actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]) < 1e-12, `${actual} vs ${expected}`));

describe('label mixes: intended proportions, exact counts', () => {
  test('frequencies: most frequent first, ties by value, missing labels left out', () => {
    assert.deepEqual(labelFrequencies(['b', 'a', 'a', 'c', undefined, 'a', 'b', '', 'd']), [
      { value: 'a', images: 3 },
      { value: 'b', images: 2 },
      { value: 'c', images: 1 },
      { value: 'd', images: 1 },
    ]);
  });

  test('zipf (s = 1.5): shares 1/k^1.5 normalised; 20 images → 13, 5, 2', () => {
    const [zipf] = mixScenarios('dx', 'zipf', FREQ);
    const z = 1 + 1 / Math.pow(2, 1.5) + 1 / Math.pow(3, 1.5); // 1.546003
    close(sharesOf(zipf), [1 / z, 1 / Math.pow(2, 1.5) / z, 1 / Math.pow(3, 1.5) / z]);
    // 20 × shares = 12.937, 4.574, 2.490 → floors 12, 4, 2; the two largest remainders get one more.
    assert.deepEqual(targetCounts(zipf.shares, 20), [13, 5, 2]);
  });

  test('dominant: one scenario per value, 80 % for it, the rest keeps its relative frequencies', () => {
    const dominant = mixScenarios('dx', 'dominant', FREQ);
    assert.deepEqual(dominant.map((s) => s.name), ['dominant:a', 'dominant:b', 'dominant:c']);
    const b = dominant[1];
    close(sharesOf(b), [0.2 * (10 / 14), 0.8, 0.2 * (4 / 14)]);
    // 20 × shares = 2.857, 16, 1.143 → 2, 16, 1, and the one left goes to a (remainder .857).
    assert.deepEqual(targetCounts(b.shares, 20), [3, 16, 1]);
  });

  test('rare_oversampled: the rarest value gets the count of the most common', () => {
    const [rare] = mixScenarios('dx', 'rare_oversampled', FREQ);
    assert.equal(rare.label, 'c');
    close(sharesOf(rare), [10 / 26, 6 / 26, 10 / 26]);
    // 7.692, 4.615, 7.692 → 7, 4, 7; the tie of remainders goes to the more frequent value first, then c.
    assert.deepEqual(targetCounts(rare.shares, 20), [8, 4, 8]);
  });

  test('removed: one scenario per value, the others renormalised; no image of the removed value', () => {
    const removed = mixScenarios('dx', 'removed', FREQ);
    assert.deepEqual(removed.map((s) => s.label), ['a', 'b', 'c']);
    close(sharesOf(removed[0]), [0, 0.6, 0.4]);
    assert.deepEqual(targetCounts(removed[0].shares, 20), [0, 12, 8]);
    assert.deepEqual(targetCounts(removed[0].shares, 7), [0, 4, 3]); // 4.2, 2.8 → 4, 2 + 1 to c
  });

  test('a column with a single value has no mix', () => {
    assert.deepEqual(mixScenarios('dx', 'zipf', [{ value: 'a', images: 5 }]), []);
  });

  test('counts always sum to the sample size', () => {
    for (const kind of ['zipf', 'dominant', 'rare_oversampled', 'removed'] as const)
      for (const s of mixScenarios('dx', kind, FREQ))
        for (const n of [1, 7, 20, 33, 101]) assert.equal(targetCounts(s.shares, n).reduce((a, c) => a + c, 0), n, `${s.name} n=${n}`);
  });

  test('draws: exactly counts[v] images of value v; same seed same draw, another seed another', () => {
    const pools = [
      Array.from({ length: 10 }, (_, i) => `a${i}`),
      Array.from({ length: 6 }, (_, i) => `b${i}`),
      Array.from({ length: 4 }, (_, i) => `c${i}`),
    ];
    const counts = [3, 16, 1];
    const drawn = drawMix(pools, counts, createRandom(42));
    const perValue = [0, 0, 0];
    for (const [id, k] of drawn) perValue['abc'.indexOf(id[0])] += k;
    assert.deepEqual(perValue, counts);
    assert.deepEqual([...drawMix(pools, counts, createRandom(42))], [...drawn]);
    assert.notDeepEqual([...drawMix(pools, counts, createRandom(43))], [...drawn]);
  });
});
