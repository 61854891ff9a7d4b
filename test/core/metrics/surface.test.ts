import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { surfaceDistances, hausdorff95, averageSurfaceDistance, borderMask } from '../../../server/src/core/metrics';
import { assertClose, bruteBorder, bruteSurface, maskFromRows, type Size3 } from './bruteforce';

const ref = maskFromRows(['0000', '0110', '0110', '0000']);
const pred = maskFromRows(['0000', '0111', '0010', '0000']);

function maskPairArb(maxW: number, maxH: number, maxD: number) {
  return fc
    .tuple(
      fc.integer({ min: 1, max: maxW }),
      fc.integer({ min: 1, max: maxH }),
      fc.integer({ min: 1, max: maxD }),
      fc.integer({ min: 0, max: 100 }),
      fc.integer({ min: 0, max: 100 }),
    )
    .chain(([w, h, d, pr, pp]) => {
      const n = w * h * d;
      const bits = (percent: number) => fc.array(fc.integer({ min: 0, max: 99 }).map((r) => (r < percent ? 1 : 0)), { minLength: n, maxLength: n });
      return fc.tuple(fc.constant<Size3>([w, h, d]), bits(pr), bits(pp));
    });
}

const spacingArb = fc.tuple(
  fc.double({ min: 0.2, max: 3, noNaN: true }),
  fc.double({ min: 0.2, max: 3, noNaN: true }),
  fc.double({ min: 0.2, max: 3, noNaN: true }),
);

function assertMatchesBruteForce(size: Size3, r: number[], p: number[], spacing: Size3): void {
  const a = Uint8Array.from(r);
  const b = Uint8Array.from(p);
  const actual = surfaceDistances(a, b, size, spacing);
  const expected = bruteSurface(a, b, size, spacing);
  assertClose(actual.hd95, expected.hd95, 1e-9, 'hd95');
  assertClose(actual.hausdorff, expected.hausdorff, 1e-9, 'hausdorff');
  assertClose(actual.assd, expected.assd, 1e-9, 'assd');
}

describe('borderMask', () => {
  test('hand example: the inside of a 4×4 block is not border; the image edge is', () => {
    const block = maskFromRows(['111110', '111110', '111110', '111110', '000000']);
    assert.deepEqual([...borderMask(block, [6, 5, 1])], [...maskFromRows(['111110', '100010', '100010', '111110', '000000'])]);
  });

  test('equals the brute-force definition in 2D and 3D', () => {
    fc.assert(
      fc.property(maskPairArb(9, 9, 5), ([size, bits]) => {
        const mask = Uint8Array.from(bits);
        const expected = new Uint8Array(mask.length);
        for (const i of bruteBorder(mask, size)) expected[i] = 1;
        assert.deepEqual(borderMask(mask, size), expected);
      }),
      { seed: 40, numRuns: 200 },
    );
  });
});

describe('surfaceDistances', () => {
  test('hand example (4×4): directed distances {0,0,0,1} both ways → hd95 = 0.85', () => {
    const d = surfaceDistances(ref, pred, [4, 4, 1]);
    assert.ok(Math.abs(d.hd95! - 0.85) < 1e-12);
    assert.equal(d.hausdorff, 1);
    assert.equal(d.assd, 2 / 8);
  });

  test('hand example with spacing [2, 1, 1]: pred→ref becomes {0,0,0,2} → hd95 = 1.7', () => {
    const d = surfaceDistances(ref, pred, [4, 4, 1], [2, 1, 1]);
    assert.ok(Math.abs(d.hd95! - 1.7) < 1e-12);
    assert.equal(d.hausdorff, 2);
    assert.equal(d.assd, 3 / 8);
    assert.ok(Math.abs(hausdorff95(ref, pred, [4, 4, 1], [2, 1, 1])! - 1.7) < 1e-12);
    assert.equal(averageSurfaceDistance(ref, pred, [4, 4, 1], [2, 1, 1]), 3 / 8);
  });

  test('two single pixels 3 apart along x and 4 along y → 5', () => {
    const a = new Uint8Array(50);
    const b = new Uint8Array(50);
    a[0 * 10 + 2] = 1; // (2, 0)
    b[4 * 10 + 5] = 1; // (5, 4)
    assert.deepEqual(surfaceDistances(a, b, [10, 5, 1]), { hd95: 5, hausdorff: 5, assd: 5, masd: 5 });
  });

  test('0 when both are empty, undefined when exactly one is', () => {
    const empty = new Uint8Array(16);
    assert.deepEqual(surfaceDistances(empty, empty, [4, 4, 1]), { hd95: 0, hausdorff: 0, assd: 0, masd: 0 });
    assert.deepEqual(surfaceDistances(ref, empty, [4, 4, 1]), { hd95: undefined, hausdorff: undefined, assd: undefined, masd: undefined });
    assert.deepEqual(surfaceDistances(empty, pred, [4, 4, 1]), { hd95: undefined, hausdorff: undefined, assd: undefined, masd: undefined });
  });

  test('identical masks are 0 apart', () => {
    assert.deepEqual(surfaceDistances(ref, ref, [4, 4, 1], [0.3, 0.7, 1]), { hd95: 0, hausdorff: 0, assd: 0, masd: 0 });
  });

  test('in 3D, z counts: a one-slice plate is all border, and slices are spacing[2] apart', () => {
    const size: Size3 = [3, 3, 4];
    const a = new Uint8Array(36);
    const b = new Uint8Array(36);
    a.fill(1, 0, 9); // slice 0, full
    b.fill(1, 27, 36); // slice 3, full
    assert.deepEqual(surfaceDistances(a, b, size, [1, 1, 2.5]), { hd95: 7.5, hausdorff: 7.5, assd: 7.5, masd: 7.5 });
  });

  test('rejects a size that does not match the masks', () => {
    assert.throws(() => surfaceDistances(ref, pred, [4, 3, 1]), RangeError);
  });

  test('matches all-pairs brute force on random 2D masks up to 20×20, anisotropic spacing', () => {
    fc.assert(
      fc.property(maskPairArb(20, 20, 1), spacingArb, ([size, r, p], spacing) => assertMatchesBruteForce(size, r, p, spacing)),
      { seed: 41, numRuns: 250 },
    );
  });

  test('matches all-pairs brute force on random 3D masks', () => {
    fc.assert(
      fc.property(maskPairArb(8, 8, 6), spacingArb, ([size, r, p], spacing) => assertMatchesBruteForce(size, r, p, spacing)),
      { seed: 42, numRuns: 80 },
    );
  });

  test('blob-like masks (not just noise) also match, including masks touching the image edge', () => {
    const size: Size3 = [20, 16, 1];
    const disc = (cx: number, cy: number, radius: number) =>
      Array.from({ length: 320 }, (_, i) => ((i % 20) - cx) ** 2 + (Math.floor(i / 20) - cy) ** 2 <= radius * radius ? 1 : 0);
    assertMatchesBruteForce(size, disc(8, 8, 6), disc(11, 7, 5), [0.8, 1.1, 1]);
    assertMatchesBruteForce(size, disc(0, 0, 9), disc(19, 15, 12), [1, 1, 1]);
  });
});
