import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fuseIntersection, fuseMajority, fuseUnion } from '../../../server/src/core/fusion';

const bits = (s: string) => Uint8Array.from(s, (c) => (c === '1' ? 1 : 0));
const str = (m: Uint8Array) => Array.from(m).join('');

describe('union, intersection, majority by hand', () => {
  test('k = 2: majority needs both (a 1–1 tie is background)', () => {
    const masks = [bits('0011'), bits('0101')];
    assert.equal(str(fuseUnion(masks)), '0111');
    assert.equal(str(fuseIntersection(masks)), '0001');
    assert.equal(str(fuseMajority(masks)), '0001');
  });

  test('k = 3: every vote count 0…3', () => {
    // pixel votes: 0, 1, 1, 2, 2, 3, 1, 2
    const masks = [bits('01011101'), bits('00110100'), bits('00001111')];
    assert.equal(str(fuseUnion(masks)), '01111111');
    assert.equal(str(fuseIntersection(masks)), '00000100');
    assert.equal(str(fuseMajority(masks)), '00011101');
  });

  test('k = 4: a 2–2 tie is background, 3 of 4 is foreground', () => {
    // pixel votes: 0, 1, 2, 2, 3, 4
    const masks = [bits('011111'), bits('000111'), bits('001011'), bits('000001')];
    assert.equal(str(fuseUnion(masks)), '011111');
    assert.equal(str(fuseIntersection(masks)), '000001');
    assert.equal(str(fuseMajority(masks)), '000011');
  });

  test('k = 1 returns the mask itself, as 0/1', () => {
    const m = Uint8Array.of(0, 255, 1, 0);
    for (const fuse of [fuseUnion, fuseIntersection, fuseMajority]) assert.equal(str(fuse([m])), '0110');
  });

  test('any non-zero byte votes foreground', () => {
    const masks = [Uint8Array.of(255, 0, 7), Uint8Array.of(1, 2, 0), Uint8Array.of(0, 0, 9)];
    assert.equal(str(fuseMajority(masks)), '101');
    assert.equal(str(fuseIntersection(masks)), '000');
  });

  test('mismatched lengths or no masks are bugs and throw', () => {
    assert.throws(() => fuseUnion([bits('01'), bits('011')]), RangeError);
    assert.throws(() => fuseMajority([]), RangeError);
  });
});

test('majority agrees with a vote count for k = 1…7 (property)', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 7 }).chain((k) => fc.array(fc.uint8Array({ minLength: 12, maxLength: 12, min: 0, max: 1 }), { minLength: k, maxLength: k })),
      (masks) => {
        const majority = fuseMajority(masks);
        const union = fuseUnion(masks);
        const intersection = fuseIntersection(masks);
        for (let i = 0; i < 12; i++) {
          const votes = masks.reduce((s, m) => s + m[i], 0);
          assert.equal(majority[i], votes > masks.length / 2 ? 1 : 0);
          assert.equal(union[i], votes > 0 ? 1 : 0);
          assert.equal(intersection[i], votes === masks.length ? 1 : 0);
        }
      },
    ),
    { seed: 7, numRuns: 200 },
  );
});
