import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { allocateCounts, patientSizes, shuffledLabels } from '../../server/src/demo/cohort';
import { deriveSeed, SeededRandom } from '../../server/src/demo/random';

describe('SeededRandom', () => {
  test('same seed, same sequence; another seed, another sequence', () => {
    const draw = (seed: number) => Array.from({ length: 50 }, ((r) => () => r.next())(new SeededRandom(seed)));
    assert.deepEqual(draw(7), draw(7));
    assert.notDeepEqual(draw(7), draw(8));
  });

  test('uniform in [0, 1) with mean 1/2 and variance 1/12', () => {
    const r = new SeededRandom(123);
    const n = 20000;
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < n; i++) {
      const v = r.next();
      assert.ok(v >= 0 && v < 1);
      sum += v;
      sumSq += v * v;
    }
    const mean = sum / n;
    // Standard error of the mean is sqrt(1/12/n) ≈ 0.002: 5 SE bounds.
    assert.ok(Math.abs(mean - 0.5) < 0.01, `mean ${mean}`);
    assert.ok(Math.abs(sumSq / n - mean * mean - 1 / 12) < 0.005);
  });

  test('int covers both ends and nothing outside', () => {
    const r = new SeededRandom(5);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(r.int(2, 5));
    assert.deepEqual([...seen].sort(), [2, 3, 4, 5]);
  });

  test('deriveSeed separates seeds and parts (no cancellation between them)', () => {
    const seeds = new Set<number>();
    for (let seed = 0; seed < 20; seed++) for (const part of ['a', 'b', 'dermoscopy', 'ct']) seeds.add(deriveSeed(seed, part, 1));
    assert.equal(seeds.size, 80);
    assert.equal(deriveSeed(3, 'x', 2), deriveSeed(3, 'x', 2));
  });
});

describe('allocateCounts', () => {
  test('exact shares when they divide evenly (hand-computed)', () => {
    const shares = { nevus: 0.6, melanoma: 0.2, seborrheic_keratosis: 0.12, dermatofibroma: 0.05, vascular: 0.03 };
    assert.deepEqual(allocateCounts(100, shares), { nevus: 60, melanoma: 20, seborrheic_keratosis: 12, dermatofibroma: 5, vascular: 3 });
  });

  test('largest deficit gets the leftovers; a value lifted to one is not also rounded up', () => {
    // 21 × shares = 6.3, 5.25, 4.2, 2.94, 1.47, 0.84 → floors 6, 5, 4, 2, 1, 1 (lifted) = 19;
    // the two left go to the largest deficits: 4+3 (0.94) and 4+4 (0.47).
    const shares = { benign: 0.3, '3+3': 0.25, '3+4': 0.2, '4+3': 0.14, '4+4': 0.07, '5+5': 0.04 };
    assert.deepEqual(allocateCounts(21, shares), { benign: 6, '3+3': 5, '3+4': 4, '4+3': 3, '4+4': 2, '5+5': 1 });
  });

  test('every value at least once when there is room, and the total is kept', () => {
    const shares = { a: 0.9, b: 0.05, c: 0.03, d: 0.02 };
    for (const total of [4, 5, 9, 17, 40]) {
      const counts = allocateCounts(total, shares);
      assert.equal(Object.values(counts).reduce((s, v) => s + v, 0), total);
      assert.ok(Object.values(counts).every((v) => v >= 1));
      assert.ok(counts.a >= counts.b);
    }
  });

  test('shuffledLabels has exactly the allocated counts', () => {
    const labels = shuffledLabels(new SeededRandom(1), 40, { M: 0.6, F: 0.4 });
    assert.equal(labels.filter((l) => l === 'M').length, 24);
    assert.equal(labels.length, 40);
  });
});

describe('patientSizes', () => {
  test('sums to the total, each within bounds except a possibly smaller last one', () => {
    for (let seed = 0; seed < 20; seed++) {
      const sizes = patientSizes(new SeededRandom(seed), 119, 2, 4);
      assert.equal(sizes.reduce((a, b) => a + b, 0), 119);
      sizes.slice(0, -1).forEach((s) => assert.ok(s >= 2 && s <= 4));
      assert.ok(sizes.at(-1)! >= 1 && sizes.at(-1)! <= 4);
    }
  });
});
