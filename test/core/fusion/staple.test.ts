import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { fuseStaple, type StapleOptions } from '../../../server/src/core/fusion';
import { estimateStaple, type StapleEstimate } from '../../../server/src/core/fusion/staple';

interface ReferenceCase {
  name: string;
  size: [number, number, number];
  masks: string[];
  options: StapleOptions;
  expected: {
    prior: number;
    sensitivity: number[];
    specificity: number[];
    iterations: number;
    converged: boolean;
    posterior: number[];
    mask: string;
  };
}

// Written once by test/fixtures/fusion/make_reference.py (per-pixel numpy STAPLE, no vote patterns).
const reference: { cases: ReferenceCase[] } = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'fixtures', 'fusion', 'reference.json'), 'utf8'),
);

const bits = (s: string) => Uint8Array.from(s, (c) => (c === '1' ? 1 : 0));

/** Per-pixel double posterior of either path. */
function pixelPosterior(estimate: StapleEstimate, length: number): Float64Array {
  if (!estimate.patterns) return estimate.posterior;
  const byId = new Map<number, number>();
  estimate.patterns.ids.forEach((id, u) => byId.set(id, estimate.posterior[u]));
  return Float64Array.from({ length }, (_, i) => byId.get(estimate.patterns!.ofPixel[i])!);
}

function assertAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tolerance, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

describe('agreement with the per-pixel numpy STAPLE (make_reference.py)', () => {
  for (const c of reference.cases) {
    const masks = c.masks.map(bits);
    for (const path of ['patterns', 'pixels'] as const) {
      test(`${c.name} (${path}): prior, sensitivity, specificity, posterior to 1e-9, same iterations and mask`, () => {
        const e = estimateStaple(masks, c.options, path);
        assert.ok(Math.abs(e.prior - c.expected.prior) <= 1e-12);
        assertAllClose(e.sensitivity, c.expected.sensitivity, 1e-9, 'sensitivity');
        assertAllClose(e.specificity, c.expected.specificity, 1e-9, 'specificity');
        assert.equal(e.iterations, c.expected.iterations);
        assert.equal(e.converged, c.expected.converged);
        assertAllClose(pixelPosterior(e, masks[0].length), c.expected.posterior, 1e-9, 'posterior');
      });
    }
    test(`${c.name}: fuseStaple mask equal, posterior the float32 of the estimate`, () => {
      const r = fuseStaple(masks, c.options);
      assert.equal(Array.from(r.mask).join(''), c.expected.mask);
      assert.equal(r.iterations, c.expected.iterations);
      assert.equal(r.converged, c.expected.converged);
      const estimate = pixelPosterior(estimateStaple(masks, c.options, 'patterns'), masks[0].length);
      assert.deepEqual(r.posterior, Float32Array.from(estimate));
      assertAllClose(r.posterior, c.expected.posterior, 1e-7, 'float32 posterior');
    });
  }
});

describe('hand-checkable cases', () => {
  test('all raters agree: STAPLE is that mask, sensitivity and specificity → 1', () => {
    const m = bits('0011101100111000');
    const r = fuseStaple([m, m, m]);
    assert.deepEqual(r.mask, m);
    assert.equal(r.prior, 8 / 16);
    assert.ok(r.converged);
    for (const s of [...r.sensitivity, ...r.specificity]) assert.ok(s > 1 - 1e-9, `${s}`);
    assertAllClose(r.posterior, m, 1e-9, 'posterior');
  });

  test('one EM iteration on 2 raters, computed by hand', () => {
    // Pixels: votes (1,1), (1,0), (0,0), (0,0); prior g = (2 + 1) / 8.
    const masks = [bits('1100'), bits('1000')];
    const g = 3 / 8;
    const p0 = 0.99999;
    const q0 = 0.99999;
    const post = (g: number, pa: number, qa: number, pb: number, qb: number, va: boolean, vb: boolean) => {
      const a = g * (va ? pa : 1 - pa) * (vb ? pb : 1 - pb);
      const b = (1 - g) * (va ? 1 - qa : qa) * (vb ? 1 - qb : qb);
      return a / (a + b);
    };
    const w11 = post(g, p0, q0, p0, q0, true, true);
    const w10 = post(g, p0, q0, p0, q0, true, false);
    const w00 = post(g, p0, q0, p0, q0, false, false);

    const start = estimateStaple(masks, { maxIterations: 0 }, 'pixels');
    assertAllClose(start.posterior, [w11, w10, w00, w00], 1e-15, 'initial E-step');
    assert.equal(start.iterations, 0);
    assert.equal(start.converged, false);

    const fg = w11 + w10 + 2 * w00;
    const bg = 4 - fg;
    const pA = (w11 + w10) / fg;
    const pB = w11 / fg;
    const qA = 2 * (1 - w00) / bg;
    const qB = (1 - w10 + 2 * (1 - w00)) / bg;
    const expected = [
      post(g, pA, qA, pB, qB, true, true),
      post(g, pA, qA, pB, qB, true, false),
      post(g, pA, qA, pB, qB, false, false),
      post(g, pA, qA, pB, qB, false, false),
    ];
    for (const path of ['patterns', 'pixels'] as const) {
      const one = estimateStaple(masks, { maxIterations: 1 }, path);
      assertAllClose(one.sensitivity, [pA, pB], 1e-15, `${path} sensitivity`);
      assertAllClose(one.specificity, [qA, qB], 1e-15, `${path} specificity`);
      assertAllClose(pixelPosterior(one, 4), expected, 1e-15, `${path} posterior`);
    }
  });

  test('more than 16 raters runs per pixel and equals the agreed mask', () => {
    const m = bits('110010');
    const r = fuseStaple(Array.from({ length: 20 }, () => m));
    assert.deepEqual(r.mask, m);
    assert.ok(r.converged);
  });

  test('70 raters: products underflow, the log-odds form still decides', () => {
    const m = bits('10101100');
    const flipped = Uint8Array.from(m, (v) => 1 - v);
    const masks = [...Array.from({ length: 50 }, () => m), ...Array.from({ length: 20 }, () => flipped)];
    const r = fuseStaple(masks);
    assert.deepEqual(r.mask, m);
    for (const v of r.posterior) assert.ok(Number.isFinite(v));
  });

  test('every mask empty: empty result, no NaN', () => {
    const r = fuseStaple([new Uint8Array(9), new Uint8Array(9)]);
    assert.equal(r.prior, 0);
    assert.deepEqual(r.mask, new Uint8Array(9));
    assert.deepEqual(r.posterior, new Float32Array(9));
    for (const s of [...r.sensitivity, ...r.specificity]) assert.ok(!Number.isNaN(s));
  });

  test('bad options and inputs throw; an aborted signal stops the EM', () => {
    const m = bits('0110');
    assert.throws(() => fuseStaple([m, m], { prior: 1.5 }), RangeError);
    assert.throws(() => fuseStaple([m, m], { maxIterations: -1 }), RangeError);
    assert.throws(() => fuseStaple([m, bits('01')]), RangeError);
    assert.throws(() => fuseStaple([]), RangeError);
    const controller = new AbortController();
    controller.abort();
    assert.throws(() => fuseStaple([m, m], { signal: controller.signal }), { name: 'AbortError' });
  });
});

test('the vote-pattern path equals the per-pixel path (property)', () => {
  const caseArb = fc
    .record({ k: fc.integer({ min: 1, max: 6 }), n: fc.integer({ min: 1, max: 40 }) })
    .chain(({ k, n }) =>
      fc.record({
        masks: fc.array(fc.uint8Array({ minLength: n, maxLength: n, min: 0, max: 1 }), { minLength: k, maxLength: k }),
        prior: fc.oneof(fc.constant<'global'>('global'), fc.double({ min: 0.05, max: 0.95, noNaN: true })),
        initialSensitivity: fc.double({ min: 0.5, max: 0.99999, noNaN: true }),
        initialSpecificity: fc.double({ min: 0.5, max: 0.99999, noNaN: true }),
        maxIterations: fc.integer({ min: 0, max: 60 }),
      }),
    );
  fc.assert(
    fc.property(caseArb, ({ masks, ...options }) => {
      // The M-step sums are exact to ~2^-100 in both paths, so they follow the same EM trajectory
      // (in practice to the last bit) even on these tiny, badly identified problems where EM
      // amplifies any rounding difference; a tolerance covers the rare last-bit rounding tie.
      const byPattern = estimateStaple(masks, options, 'patterns');
      const byPixel = estimateStaple(masks, options, 'pixels');
      assert.equal(byPattern.prior, byPixel.prior);
      assert.equal(byPattern.iterations, byPixel.iterations);
      assert.equal(byPattern.converged, byPixel.converged);
      assertAllClose(byPattern.sensitivity, byPixel.sensitivity, 1e-12, 'sensitivity');
      assertAllClose(byPattern.specificity, byPixel.specificity, 1e-12, 'specificity');
      assertAllClose(pixelPosterior(byPattern, masks[0].length), byPixel.posterior, 1e-12, 'posterior');
      const fused = fuseStaple(masks, options);
      for (let i = 0; i < fused.mask.length; i++) {
        if (Math.abs(byPixel.posterior[i] - 0.5) > 1e-9) assert.equal(fused.mask[i], byPixel.posterior[i] >= 0.5 ? 1 : 0);
      }
    }),
    { seed: 20260412, numRuns: 300 },
  );
});
