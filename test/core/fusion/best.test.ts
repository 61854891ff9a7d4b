import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { bestOf, chooseFusionOnValidation } from '../../../server/src/core/fusion';

describe('bestOf', () => {
  test('highest Dice wins', () => {
    assert.equal(bestOf([{ method: 'a', dice: 0.7 }, { method: 'b', dice: 0.9 }, { method: 'c', dice: 0.8 }])?.method, 'b');
  });

  test('ties go to the first in the given order', () => {
    const candidates = [
      { method: 'm1', dice: 0.5 },
      { method: 'fusion:union', dice: 0.9 },
      { method: 'fusion:staple', dice: 0.9 },
    ];
    assert.equal(bestOf(candidates)?.method, 'fusion:union');
    assert.equal(bestOf([...candidates].reverse())?.method, 'fusion:staple');
  });

  test('undefined (or NaN) Dice never wins unless all are undefined; empty list gives undefined', () => {
    assert.equal(bestOf([{ method: 'a', dice: undefined }, { method: 'b', dice: 0 }])?.method, 'b');
    assert.equal(bestOf([{ method: 'a', dice: Number.NaN }, { method: 'b', dice: 0.1 }])?.method, 'b');
    assert.equal(bestOf([{ method: 'a', dice: undefined }, { method: 'b', dice: undefined }])?.method, 'a');
    assert.equal(bestOf([]), undefined);
  });

  test('returns the candidate object itself, extra fields included', () => {
    const winner = { method: 'b', dice: 1, source: 'model' };
    assert.equal(bestOf([{ method: 'a', dice: 0.2, source: 'x' }, winner]), winner);
  });
});

describe('chooseFusionOnValidation', () => {
  test('highest mean validation Dice over defined values; ties to the first candidate', () => {
    const choice = chooseFusionOnValidation(
      {
        union: [0.8, 0.6, undefined], // mean 0.7
        majority: [0.9, 0.5], // mean 0.7, later in the candidate list
        staple: [0.65, 0.7], // mean 0.675
        intersection: [undefined, undefined],
      },
      ['staple', 'union', 'majority', 'intersection', 'missing'],
    );
    assert.equal(choice.method, 'union');
    assert.ok(Math.abs(choice.means.union! - 0.7) < 1e-15);
    assert.ok(Math.abs(choice.means.majority! - 0.7) < 1e-15);
    assert.equal(choice.means.staple, 0.675);
    assert.equal(choice.means.intersection, undefined);
    assert.equal(choice.means.missing, undefined);
    assert.deepEqual(Object.keys(choice.means), ['staple', 'union', 'majority', 'intersection', 'missing']);
  });

  test('methods that are not candidates are ignored; no candidates → no method', () => {
    assert.equal(chooseFusionOnValidation({ best: [1, 1], union: [0.5] }, ['union']).method, 'union');
    assert.deepEqual(chooseFusionOnValidation({ union: [0.5] }, []), { method: undefined, means: {} });
  });
});
