import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ExactSum } from '../../../server/src/core/fusion/exactSum';

test('ten times 0.1 sums to the correctly rounded 1 (a naive sum gives 0.9999999999999999)', () => {
  const sum = new ExactSum();
  for (let i = 0; i < 10; i++) sum.add(0.1);
  assert.equal(sum.value, 1);
});

test('small terms after a large one are kept', () => {
  const sum = new ExactSum();
  sum.add(1);
  for (let i = 0; i < 1000; i++) sum.add(2 ** -60);
  assert.equal(sum.value, 1 + 1000 * 2 ** -60);
});

test('n·x as one product equals x added n times, in any order (property)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ n: fc.integer({ min: 1, max: 50 }), x: fc.double({ min: 0, max: 1, noNaN: true }) }), { minLength: 1, maxLength: 20 }),
      (terms) => {
        const byProduct = new ExactSum();
        for (const { n, x } of terms) byProduct.addProduct(n, x);
        const byRepetition = new ExactSum();
        for (const { n, x } of [...terms].reverse()) for (let i = 0; i < n; i++) byRepetition.add(x);
        assert.equal(byProduct.value, byRepetition.value);
      },
    ),
    { seed: 3, numRuns: 300 },
  );
});
