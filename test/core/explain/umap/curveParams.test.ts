import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fitCurveParams } from '../../../../server/src/core/explain/umap/curveParams';

const ref = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'fixtures', 'explain', 'umap_reference.json'), 'utf8')).curve_params as { spread: number; min_dist: number; a: number; b: number }[];

test('a and b are scipy’s least-squares fit of UMAP’s target curve', () => {
  for (const r of ref) {
    const { a, b } = fitCurveParams(r.spread, r.min_dist);
    assert.ok(Math.abs(a / r.a - 1) < 1e-8, `spread ${r.spread}, min_dist ${r.min_dist}: a ${a} vs ${r.a}`);
    assert.ok(Math.abs(b / r.b - 1) < 1e-8, `spread ${r.spread}, min_dist ${r.min_dist}: b ${b} vs ${r.b}`);
  }
});
