import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PowTable } from '../../../../server/src/core/explain/umap/powTable';

test('x^b from tables stays within 2.5e-7 of Math.pow for the b that min_dist ≤ 0.99 gives', () => {
  for (const b of [0.7905, 0.8951, 1.3342, 1.9164]) {
    const table = new PowTable(b);
    let worst = 0;
    for (let i = 0; i <= 200_000; i++) {
      const x = Math.exp(-46 + (92 * i) / 200_000); // 1e-20 … 1e20
      worst = Math.max(worst, Math.abs(table.pow(x) / Math.pow(x, b) - 1));
    }
    assert.ok(worst < 2.5e-7, `b = ${b}: worst relative error ${worst}`);
    // Exact at powers of two (the mantissa table's first entry is 1).
    assert.equal(table.pow(8), Math.pow(2, 3 * b));
  }
});

test('subnormal and infinite inputs take Math.pow itself', () => {
  const table = new PowTable(0.9);
  assert.equal(table.pow(5e-324), Math.pow(5e-324, 0.9));
  assert.equal(table.pow(Infinity), Infinity);
});
