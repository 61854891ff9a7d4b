import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { findHashPairs, parseHash64 } from '../../../server/src/core/splits/nearDuplicates';

/** The reference: every pair, distance by comparing the 64 bits one at a time through BigInt. */
function bruteForce(hashes: readonly string[], d: number): { a: number; b: number; distance: number }[] {
  const out: { a: number; b: number; distance: number }[] = [];
  for (let a = 0; a < hashes.length; a++)
    for (let b = a + 1; b < hashes.length; b++) {
      const x = BigInt(`0x${hashes[a]}`) ^ BigInt(`0x${hashes[b]}`);
      let distance = 0;
      for (let bit = 0n; bit < 64n; bit++) if ((x >> bit) & 1n) distance++;
      if (distance <= d) out.push({ a, b, distance });
    }
  return out;
}

const hex64 = (v: bigint): string => v.toString(16).padStart(16, '0');

/** Random hashes, many of them a few bit flips away from a few bases, so that close pairs exist. */
const clusteredHashes = fc
  .tuple(
    fc.array(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), { minLength: 1, maxLength: 6 }),
    fc.array(fc.tuple(fc.nat(5), fc.array(fc.integer({ min: 0, max: 63 }), { maxLength: 9 }), fc.boolean()), { maxLength: 60 }),
  )
  .map(([bases, specs]) =>
    specs.map(([base, flips, random], i) => {
      if (random) return hex64((bases[base % bases.length] * 6364136223846793005n + BigInt(i) * 1442695040888963407n) & ((1n << 64n) - 1n));
      let v = bases[base % bases.length];
      for (const bit of flips) v ^= 1n << BigInt(bit);
      return hex64(v);
    }),
  );

describe('findHashPairs (multi-index hashing)', () => {
  test('equals a brute-force pairwise search for every distance (property)', () => {
    fc.assert(
      fc.property(clusteredHashes, fc.oneof(fc.integer({ min: 0, max: 12 }), fc.constantFrom(31, 40, 63, 64)), (hashes, d) => {
        assert.deepEqual(findHashPairs(hashes, d), bruteForce(hashes, d));
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  test('chunks that straddle the two 32-bit halves are compared correctly', () => {
    // d = 2 cuts 64 bits into 22 + 21 + 21: the second chunk holds bits 22..42, across the halves.
    const base = 0x0123456789abcdefn;
    const hashes = [hex64(base), hex64(base ^ (1n << 31n) ^ (1n << 32n)), hex64(base ^ (1n << 31n) ^ (1n << 32n) ^ (1n << 5n)), hex64(~base & ((1n << 64n) - 1n))];
    assert.deepEqual(findHashPairs(hashes, 2), [{ a: 0, b: 1, distance: 2 }, { a: 1, b: 2, distance: 1 }]);
    assert.deepEqual(findHashPairs(hashes, 3), bruteForce(hashes, 3));
    assert.deepEqual(findHashPairs(hashes, 64).length, 6);
  });

  test('identical hashes pair at distance 0; bad input is refused', () => {
    assert.deepEqual(findHashPairs(['ffffffffffffffff', '0000000000000000', 'FFFFFFFFFFFFFFFF'], 0), [{ a: 0, b: 2, distance: 0 }]);
    assert.deepEqual(parseHash64('80000000000000ff'), [0x80000000, 0xff]);
    assert.throws(() => parseHash64('xyz'), RangeError);
    assert.throws(() => findHashPairs(['0000000000000000'], -1), RangeError);
  });

  test('60,000 random hashes at distance 4: only the planted pair (speed: bench/splits-60k.ts)', () => {
    let state = 12345n;
    const hashes = Array.from({ length: 60000 }, () => {
      state = (state * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n);
      return hex64(state);
    });
    hashes[59999] = hex64(BigInt(`0x${hashes[17]}`) ^ 0b1011n);
    assert.deepEqual(findHashPairs(hashes, 4), [{ a: 17, b: 59999, distance: 3 }]);
  });
});
