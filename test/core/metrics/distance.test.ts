import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { squaredDistanceTransform, squaredDistancesAt } from '../../../server/src/core/metrics';
import { coordinates, type Size3 } from './bruteforce';

function bruteSquaredTransform(features: Uint8Array, size: Size3, spacing: Size3): number[] {
  const sites: number[] = [];
  features.forEach((v, i) => v && sites.push(i));
  return Array.from(features, (_, i) => {
    const [x, y, z] = coordinates(i, size);
    let best = Infinity;
    for (const j of sites) {
      const [u, v, w] = coordinates(j, size);
      best = Math.min(best, ((x - u) * spacing[0]) ** 2 + ((y - v) * spacing[1]) ** 2 + ((z - w) * spacing[2]) ** 2);
    }
    return best;
  });
}

const spacingArb = fc.tuple(
  fc.double({ min: 0.1, max: 3, noNaN: true }),
  fc.double({ min: 0.1, max: 3, noNaN: true }),
  fc.double({ min: 0.1, max: 3, noNaN: true }),
);

function gridArb(maxW: number, maxH: number, maxD: number) {
  return fc
    .tuple(fc.integer({ min: 1, max: maxW }), fc.integer({ min: 1, max: maxH }), fc.integer({ min: 1, max: maxD }), fc.integer({ min: 1, max: 30 }))
    .chain(([w, h, d, percent]) =>
      fc.tuple(
        fc.constant<Size3>([w, h, d]),
        fc.array(fc.integer({ min: 0, max: 99 }).map((r) => (r < percent ? 1 : 0)), { minLength: w * h * d, maxLength: w * h * d }),
      ),
    );
}

function assertTransform(features: Uint8Array, size: Size3, spacing: Size3): void {
  const actual = squaredDistanceTransform(features, size, spacing);
  const expected = bruteSquaredTransform(features, size, spacing);
  for (let i = 0; i < expected.length; i++) {
    if (expected[i] === Infinity) assert.equal(actual[i], Infinity);
    else assert.ok(Math.abs(Math.sqrt(actual[i]) - Math.sqrt(expected[i])) < 1e-9, `pixel ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}

describe('squaredDistanceTransform', () => {
  test('hand example: one site in a 5×1 row with spacing 2', () => {
    const out = squaredDistanceTransform(Uint8Array.from([0, 0, 1, 0, 0]), [5, 1, 1], [2, 1, 1]);
    assert.deepEqual([...out], [16, 4, 0, 4, 16]);
  });

  test('hand example: sites at opposite corners of a 3×3 grid', () => {
    const out = squaredDistanceTransform(Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0, 1]), [3, 3, 1], [1, 1, 1]);
    assert.deepEqual([...out], [0, 1, 4, 1, 2, 1, 4, 1, 0]);
  });

  test('no sites: every distance is Infinity', () => {
    const out = squaredDistanceTransform(new Uint8Array(12), [4, 3, 1]);
    assert.ok(out.every((v) => v === Infinity));
  });

  test('matches brute force on random 2D grids with anisotropic spacing', () => {
    fc.assert(
      fc.property(gridArb(20, 20, 1), spacingArb, ([size, bits], spacing) => assertTransform(Uint8Array.from(bits), size, spacing)),
      { seed: 31, numRuns: 200 },
    );
  });

  test('matches brute force on random 3D grids with anisotropic spacing', () => {
    fc.assert(
      fc.property(gridArb(7, 7, 6), spacingArb, ([size, bits], spacing) => assertTransform(Uint8Array.from(bits), size, spacing)),
      { seed: 32, numRuns: 100 },
    );
  });

  test('writes into a given buffer and reuses it across sizes', () => {
    const buffer = new Float64Array(64);
    const a = squaredDistanceTransform(Uint8Array.from([1, 0, 0, 0]), [2, 2, 1], [1, 1, 1], buffer);
    assert.equal(a, buffer);
    assert.deepEqual([...buffer.subarray(0, 4)], [0, 1, 1, 2]);
    squaredDistanceTransform(Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 1]), [2, 2, 2], [1, 1, 3], buffer);
    assert.deepEqual([...buffer.subarray(0, 8)], [11, 10, 10, 9, 2, 1, 1, 0]);
  });

  test('squaredDistancesAt equals the full transform at the query pixels (lines without queries skipped)', () => {
    fc.assert(
      fc.property(gridArb(8, 8, 5), fc.array(fc.nat(), { minLength: 1, maxLength: 12 }), spacingArb, ([size, bits], picks, spacing) => {
        const features = Uint8Array.from(bits);
        const full = squaredDistanceTransform(features, size, spacing);
        const queries = Int32Array.from(picks, (p) => p % bits.length);
        const sampled = squaredDistancesAt(features, size, spacing, queries, queries.length, new Float64Array(queries.length));
        queries.forEach((q, j) => assert.equal(sampled[j], full[q]));
      }),
      { seed: 33, numRuns: 150 },
    );
  });
});
