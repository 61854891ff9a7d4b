import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PointGrid } from '../../../client/src/webview/umapGrid';
import { createRandom } from '../../../server/src/core/util/random';

test('the grid finds the nearest point within the radius, as a scan of every point does', () => {
  const r = createRandom(4);
  const n = 5000;
  const x = Float32Array.from({ length: n }, () => 20 * r.normal());
  const y = Float32Array.from({ length: n }, () => 5 * r.normal() + (r.next() < 0.5 ? 30 : 0));
  const grid = new PointGrid(x, y);
  for (let q = 0; q < 500; q++) {
    const [px, py, radius] = [60 * r.next() - 30, 50 * r.next() - 10, 0.2 + 3 * r.next()];
    let want = -1;
    let best = radius * radius;
    for (let i = 0; i < n; i++) {
      const d = (x[i] - px) ** 2 + (y[i] - py) ** 2;
      if (d < best || (d === best && want >= 0 && i < want)) [want, best] = [i, d];
    }
    assert.equal(grid.nearest(px, py, radius), want, `query ${q}`);
  }
  // A filter: the nearest accepted point.
  const even = grid.nearest(x[7], y[7], 100, (i) => i % 2 === 0);
  assert.equal(even % 2, 0);
  assert.deepEqual(new PointGrid(new Float32Array(0), new Float32Array(0)).nearest(0, 0, 1), -1);
});
