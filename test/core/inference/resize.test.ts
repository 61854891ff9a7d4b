import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { resizeBilinear } from '../../../server/src/core/inference';

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `index ${i}: ${actual[i]} vs ${expected[i]}`);
}

describe('resizeBilinear (half-pixel centres)', () => {
  test('×2 down is the mean of each 2×2 block', () => {
    // 4×2 → 2×1: sample points fall exactly between pixel pairs.
    const src = [1, 3, 5, 7, 11, 13, 17, 19];
    assertClose(resizeBilinear(src, 4, 2, 2, 1), [(1 + 3 + 11 + 13) / 4, (5 + 7 + 17 + 19) / 4], 1e-6);
  });

  test('3 → 5 along x, by hand: source positions −0.2 (clamped), 0.4, 1.0, 1.6, 2.2 (clamped)', () => {
    const [a, b, c] = [10, 20, 50];
    const expected = [a, 0.6 * a + 0.4 * b, b, 0.4 * b + 0.6 * c, c];
    assertClose(resizeBilinear([a, b, c], 3, 1, 5, 1), expected, 1e-5);
  });

  test('2×2 → 4×4, by hand', () => {
    const [a, b, c, d] = [0, 4, 8, 16];
    const row = (p: number, q: number) => [p, 0.75 * p + 0.25 * q, 0.25 * p + 0.75 * q, q];
    const top = row(a, b);
    const bottom = row(c, d);
    const expected = [0, 0.25, 0.75, 1].flatMap((t) => top.map((v, i) => v + (bottom[i] - v) * t));
    assertClose(resizeBilinear([a, b, c, d], 2, 2, 4, 4), expected, 1e-6);
  });

  test('matches torch.nn.functional.interpolate(bilinear, align_corners=False) on random planes', () => {
    const ref = JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'inference', 'resize_reference.json'), 'utf8'));
    for (const c of ref.cases) {
      const out = resizeBilinear(c.src, c.src_width, c.src_height, c.dst_width, c.dst_height);
      assertClose(out, c.dst, 1e-6);
    }
  });

  test('reads from and writes to offsets; same size copies', () => {
    const src = [99, 99, 1, 2, 3, 4];
    const dst = new Float32Array(6).fill(-1);
    resizeBilinear(src, 2, 2, 2, 2, dst, 1, 2);
    assert.deepEqual([...dst], [-1, 1, 2, 3, 4, -1]);
  });

  test('property: output stays within the input range, constants stay constant', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 1000 }),
        (sw, sh, dw, dh, seed) => {
          const src = Float32Array.from({ length: sw * sh }, (_, i) => Math.sin(seed + i * 1.7) * 100);
          const lo = Math.min(...src);
          const hi = Math.max(...src);
          for (const v of resizeBilinear(src, sw, sh, dw, dh)) assert.ok(v >= lo - 1e-3 && v <= hi + 1e-3);
          for (const v of resizeBilinear(new Float32Array(sw * sh).fill(7.5), sw, sh, dw, dh)) assert.equal(v, 7.5);
        },
      ),
      { numRuns: 200, seed: 42 },
    );
  });
});
