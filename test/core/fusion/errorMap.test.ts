import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { countErrorLabels, errorMap, errorMapRgba, ERROR_LABEL } from '../../../server/src/core/fusion';
import { computeConfusion } from '../../../server/src/core/metrics';

const bits = (s: string) => Uint8Array.from(s, (c) => (c === '1' ? 1 : 0));

describe('errorMap', () => {
  test('labels by hand: 0 TN, 1 TP, 2 FP, 3 FN', () => {
    const ref = bits('0011');
    const pred = bits('0101');
    assert.deepEqual(Array.from(errorMap(ref, pred)), [0, 2, 3, 1]);
    assert.deepEqual(ERROR_LABEL, { TN: 0, TP: 1, FP: 2, FN: 3 });
  });

  test('non-zero bytes are foreground', () => {
    assert.deepEqual(Array.from(errorMap(Uint8Array.of(255, 0), Uint8Array.of(9, 200))), [1, 2]);
  });

  test('label counts equal the confusion counts (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200 }).chain((n) =>
          fc.tuple(fc.uint8Array({ minLength: n, maxLength: n, min: 0, max: 1 }), fc.uint8Array({ minLength: n, maxLength: n, min: 0, max: 1 })),
        ),
        ([ref, pred]) => {
          assert.deepEqual(countErrorLabels(errorMap(ref, pred)), computeConfusion(ref, pred));
        },
      ),
      { seed: 11, numRuns: 200 },
    );
  });

  test('mismatched lengths throw', () => {
    assert.throws(() => errorMap(bits('01'), bits('0')), RangeError);
  });
});

describe('errorMapRgba', () => {
  test('Okabe–Ito colours per label, TN transparent, row-major', () => {
    // 2×2 map: TN TP / FP FN
    const rgba = errorMapRgba(Uint8Array.of(0, 1, 2, 3), 2, 2);
    assert.deepEqual(Array.from(rgba), [
      0, 0, 0, 0, // TN: transparent
      0x00, 0x9e, 0x73, 255, // TP: bluish green #009E73
      0xd5, 0x5e, 0x00, 255, // FP: vermillion #D55E00
      0x00, 0x72, 0xb2, 255, // FN: blue #0072B2
    ]);
  });

  test('a size that does not match, or a label outside 0…3, throws', () => {
    assert.throws(() => errorMapRgba(new Uint8Array(5), 2, 2), RangeError);
    assert.throws(() => errorMapRgba(Uint8Array.of(0, 4), 2, 1), RangeError);
  });
});
