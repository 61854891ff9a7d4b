import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { maxOf, minOf, pushAll } from '../../../server/src/core/util/arrays';

describe('pushAll / maxOf / minOf: lists of any length (issue 13, item 8)', () => {
  test('a 200,000-element list: push(...list) and Math.max(...list) overflow the stack, the helpers do not', () => {
    const n = 200_000;
    const list = Array.from({ length: n }, (_, i) => (i * 7919) % n);
    assert.throws(() => [].push(...(list as never[])), RangeError, 'the fault this helper exists for (V8 passes spread arguments on the stack)');
    assert.throws(() => Math.max(...list), RangeError);
    const target = [-1];
    assert.equal(pushAll(target, list, [n]), target);
    assert.equal(target.length, n + 2);
    assert.deepEqual([target[0], target[1], target[2], target[n], target[n + 1]], [-1, 0, 7919, list[n - 1], n]);
    // 7919 is prime and does not divide 200,000, so i ↦ 7919·i mod n is a permutation of 0…n−1.
    assert.equal(maxOf(list), n - 1);
    assert.equal(minOf(list), 0);
  });

  test('empty lists and NaN follow Math.max / Math.min', () => {
    assert.equal(maxOf([]), -Infinity);
    assert.equal(minOf([]), Infinity);
    assert.equal(maxOf([], 0), 0);
    assert.equal(maxOf([3, -2, 5, 1]), 5);
    assert.equal(minOf([3, -2, 5, 1]), -2);
    assert.ok(Number.isNaN(maxOf([1, Number.NaN, 2])));
    assert.ok(Number.isNaN(minOf([Number.NaN, 1])));
    assert.equal(maxOf(new Set([4, 9, 2])), 9);
  });
});
