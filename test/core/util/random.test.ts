import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRandom, deriveSeed } from '../../../server/src/core/util/random';

interface ReferenceEntry {
  seed: number;
  uint32: number[];
  next: number[];
  int10: number[];
  shuffle10: number[];
  normal: number[];
  derive: number[];
}

// Produced once by test/fixtures/util/random_reference.py, an independent Python implementation.
const reference: { seeds: ReferenceEntry[] } = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'fixtures', 'util', 'random_reference.json'), 'utf8'),
);

describe('createRandom matches the Python reference', () => {
  for (const ref of reference.seeds) {
    test(`seed ${ref.seed}`, () => {
      let g = createRandom(ref.seed);
      assert.deepEqual(Array.from({ length: 8 }, () => g.uint32()), ref.uint32);
      g = createRandom(ref.seed);
      assert.deepEqual(Array.from({ length: 4 }, () => g.next()), ref.next);
      g = createRandom(ref.seed);
      assert.deepEqual(Array.from({ length: 12 }, () => g.int(10)), ref.int10);
      g = createRandom(ref.seed);
      assert.deepEqual(g.shuffle([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), ref.shuffle10);
      g = createRandom(ref.seed);
      const normals = Array.from({ length: 4 }, () => g.normal());
      normals.forEach((z, i) => assert.ok(Math.abs(z - ref.normal[i]) < 1e-12, `normal ${i}: ${z} vs ${ref.normal[i]}`));
      assert.deepEqual([0, 1, 2, 3].map((k) => deriveSeed(ref.seed, k)), ref.derive);
    });
  }
});

describe('createRandom', () => {
  test('next() stays in [0, 1) and its mean is near 1/2', () => {
    const g = createRandom(3);
    let sum = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const x = g.next();
      assert.ok(x >= 0 && x < 1);
      sum += x;
    }
    // Standard error of the mean of U(0,1) over 20000 draws is 0.002; 5 SE is a safe bound.
    assert.ok(Math.abs(sum / n - 0.5) < 0.01, `mean ${sum / n}`);
  });

  test('int(n) covers every value and rejects bad n', () => {
    const g = createRandom(11);
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) seen.add(g.int(7));
    assert.deepEqual([...seen].sort(), [0, 1, 2, 3, 4, 5, 6]);
    assert.throws(() => g.int(0), RangeError);
    assert.throws(() => g.int(2.5), RangeError);
  });

  test('shuffle is a permutation and leaves short arrays alone', () => {
    const g = createRandom(5);
    const items = Array.from({ length: 50 }, (_, i) => i);
    const shuffled = g.shuffle([...items]);
    assert.deepEqual([...shuffled].sort((a, b) => a - b), items);
    assert.notDeepEqual(shuffled, items);
    assert.deepEqual(g.shuffle([]), []);
    assert.deepEqual(g.shuffle(['x']), ['x']);
  });

  test('fillUint32 gives the values successive uint32() calls give, and the stream goes on after it', () => {
    const one = createRandom(42);
    const batch = createRandom(42);
    const want = Array.from({ length: 1000 }, () => one.uint32());
    const got = [...batch.fillUint32(new Uint32Array(600)), ...batch.fillUint32(new Uint32Array(400))];
    assert.deepEqual(got, want);
    assert.equal(batch.next(), one.next());
  });

  test('different seeds give different streams; non-finite seeds are refused', () => {
    assert.notEqual(createRandom(1).uint32(), createRandom(2).uint32());
    assert.throws(() => createRandom(Number.NaN), RangeError);
  });
});
