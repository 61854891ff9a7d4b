import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { summarizeMetric, summarizeByGroup, quantileSorted, createRandom } from '../../../server/src/core/metrics';

const options = { bootstrap: 2000, seed: 7 };

describe('summarizeMetric', () => {
  test('hand values for [1, 2, 3, 4] plus two undefined: mean 2.5, median 2.5, std √(5/3)', () => {
    const s = summarizeMetric([1, undefined, 2, 3, undefined, 4], options);
    assert.equal(s.n, 4);
    assert.equal(s.excluded, 2);
    assert.equal(s.mean, 2.5);
    assert.equal(s.median, 2.5);
    assert.ok(Math.abs(s.std! - Math.sqrt(5 / 3)) < 1e-15);
  });

  test('odd count: the median is the middle value', () => {
    assert.equal(summarizeMetric([5, 1, 3], { bootstrap: 0, seed: 1 }).median, 3);
  });

  test('NaN counts as undefined', () => {
    const s = summarizeMetric([Number.NaN, 2], { bootstrap: 0, seed: 1 });
    assert.deepEqual([s.n, s.excluded, s.mean], [1, 1, 2]);
  });

  test('no value left: every statistic undefined', () => {
    assert.deepEqual(summarizeMetric([undefined, undefined], options), {
      n: 0,
      excluded: 2,
      mean: undefined,
      median: undefined,
      std: undefined,
      ci95: undefined,
    });
    assert.equal(summarizeMetric([], options).excluded, 0);
  });

  test('a single value: std undefined (ddof = 1), interval collapses to the value', () => {
    const s = summarizeMetric([0.7], options);
    assert.equal(s.std, undefined);
    assert.deepEqual(s.ci95, [0.7, 0.7]);
  });

  test('bootstrap = 0 gives no interval', () => {
    assert.equal(summarizeMetric([1, 2, 3], { bootstrap: 0, seed: 1 }).ci95, undefined);
  });

  test('the interval is reproducible for a seed, changes with the seed, and contains the mean', () => {
    const random = createRandom(99);
    const values = Array.from({ length: 200 }, () => random());
    const a = summarizeMetric(values, options);
    const b = summarizeMetric(values, options);
    const c = summarizeMetric(values, { ...options, seed: 8 });
    assert.deepEqual(a.ci95, b.ci95);
    assert.notDeepEqual(a.ci95, c.ci95);
    const [lo, hi] = a.ci95!;
    assert.ok(lo < a.mean! && a.mean! < hi);
    // The percentile bootstrap of a mean of 200 values is close to ±1.96·s/√n.
    const normalHalfWidth = (1.96 * a.std!) / Math.sqrt(200);
    assert.ok(Math.abs((hi - lo) / 2 / normalHalfWidth - 1) < 0.15, `${(hi - lo) / 2} vs ${normalHalfWidth}`);
  });

  test('a wider confidence gives a wider interval', () => {
    const values = [0.1, 0.5, 0.9, 0.3, 0.7, 0.2, 0.8];
    const ci95 = summarizeMetric(values, options).ci95!;
    const ci99 = summarizeMetric(values, { ...options, confidence: 0.99 }).ci95!;
    assert.ok(ci99[0] <= ci95[0] && ci99[1] >= ci95[1]);
    assert.throws(() => summarizeMetric(values, { ...options, confidence: 95 }), RangeError);
  });
});

describe('summarizeByGroup', () => {
  test('one summary per group, keys sorted, undefined groups left out', () => {
    const result = summarizeByGroup([1, 2, 3, undefined, 10], ['nevus', 'melanoma', 'nevus', 'melanoma', undefined], { bootstrap: 0, seed: 1 });
    assert.deepEqual(Object.keys(result), ['melanoma', 'nevus']);
    assert.deepEqual([result.melanoma.n, result.melanoma.excluded, result.melanoma.mean], [1, 1, 2]);
    assert.deepEqual([result.nevus.n, result.nevus.mean], [2, 2]);
  });

  test('rejects mismatched lengths', () => {
    assert.throws(() => summarizeByGroup([1], [], options), RangeError);
  });
});

describe('quantileSorted', () => {
  test('numpy linear method by hand', () => {
    const sorted = [0, 0, 0, 1];
    assert.ok(Math.abs(quantileSorted(sorted, 0.95) - 0.85) < 1e-15); // position 2.85
    assert.equal(quantileSorted([3, 7], 0.25), 4);
    assert.equal(quantileSorted([3], 0.5), 3);
    assert.equal(quantileSorted([1, 2, 3], 1), 3);
    assert.equal(quantileSorted([1, 2, 3], 0), 1);
  });
});

describe('createRandom', () => {
  test('same seed, same numbers in [0, 1)', () => {
    const a = createRandom(5);
    const b = createRandom(5);
    for (let i = 0; i < 100; i++) {
      const x = a();
      assert.equal(x, b());
      assert.ok(x >= 0 && x < 1);
    }
    assert.notEqual(createRandom(6)(), createRandom(5)());
  });
});
