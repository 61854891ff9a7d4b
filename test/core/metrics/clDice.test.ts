import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { clDice } from '../../../server/src/core/metrics/clDice';
import { assertClose, maskFromRows } from './bruteforce';

describe('clDice: hand computations', () => {
  test('a one-pixel line is its own skeleton: half the line predicted gives 2·1·½ / (1 + ½)', () => {
    // S(R) = R (8 pixels), S(P) = P (4 pixels): precision |S(P) ∩ R| / |S(P)| = 1, sensitivity
    // |S(R) ∩ P| / |S(R)| = 4/8
    const ref = maskFromRows(['0000000000', '0111111110', '0000000000']);
    const pred = maskFromRows(['0000000000', '0111100000', '0000000000']);
    assertClose(clDice(ref, pred, [10, 3, 1]), 2 / 3, 1e-15, 'clDice');
    assertClose(clDice(pred, ref, [10, 3, 1]), 2 / 3, 1e-15, 'clDice is symmetric');
    assert.equal(clDice(ref, ref, [10, 3, 1]), 1);
  });

  test('disjoint vessels give 0', () => {
    const ref = maskFromRows(['1111000000', '0000000000', '0000000000']);
    const pred = maskFromRows(['0000000000', '0000000000', '0000001111']);
    assert.equal(clDice(ref, pred, [10, 3, 1]), 0);
  });

  test('empty-mask rules of RESULTS.md', () => {
    const empty = new Uint8Array(12);
    const some = maskFromRows(['0000', '0110', '0000']);
    assert.equal(clDice(empty, empty, [4, 3, 1]), 1);
    assert.equal(clDice(some, empty, [4, 3, 1]), 0);
    assert.equal(clDice(empty, some, [4, 3, 1]), 0);
  });
});
