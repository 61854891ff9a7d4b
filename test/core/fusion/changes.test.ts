import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CHANGE_LABEL, fusionChanges } from '../../../server/src/core/fusion';
import { computeConfusion } from '../../../server/src/core/metrics';

const bits = (s: string) => Uint8Array.from(s, (c) => (c === '1' ? 1 : 0));

test('every (ref, member, fused) combination by hand', () => {
  // pixel:   0    1    2    3    4    5    6    7
  // ref      0    0    0    0    1    1    1    1
  // member   0    0    1    1    0    0    1    1
  // fused    0    1    0    1    0    1    0    1
  //          ok   brFP fxFP FP   FN   fxFN brFN ok
  const ref = bits('00001111');
  const member = bits('00110011');
  const fused = bits('01010101');
  const r = fusionChanges(ref, member, fused, { map: true });
  assert.deepEqual({ ...r, map: undefined }, { fixedFp: 1, fixedFn: 1, brokenFp: 1, brokenFn: 1, map: undefined });
  const { unchanged: u, fixedFp, fixedFn, brokenFp, brokenFn } = CHANGE_LABEL;
  assert.deepEqual(Array.from(r.map!), [u, brokenFp, fixedFp, u, u, fixedFn, brokenFn, u]);
});

test('a union of an under-segmenting member fixes its FN and may break background', () => {
  const ref = bits('0111110');
  const member = bits('0011100');
  const fused = bits('1111110'); // union with a model that over-reaches on the left
  assert.deepEqual(fusionChanges(ref, member, fused), { fixedFp: 0, fixedFn: 2, brokenFp: 1, brokenFn: 0 });
});

test('errors of the fusion = errors of the member − fixed + broken (property)', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 100 }).chain((n) => fc.array(fc.uint8Array({ minLength: n, maxLength: n, min: 0, max: 1 }), { minLength: 3, maxLength: 3 })),
      ([ref, member, fused]) => {
        const c = fusionChanges(ref, member, fused);
        const before = computeConfusion(ref, member);
        const after = computeConfusion(ref, fused);
        assert.equal(after.fp, before.fp - c.fixedFp + c.brokenFp);
        assert.equal(after.fn, before.fn - c.fixedFn + c.brokenFn);
        assert.equal(c.map, undefined);
      },
    ),
    { seed: 5, numRuns: 200 },
  );
});

test('mismatched lengths throw', () => {
  assert.throws(() => fusionChanges(bits('01'), bits('01'), bits('0')), RangeError);
});
