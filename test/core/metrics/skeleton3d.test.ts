import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { skeletonize3d } from '../../../server/src/core/metrics/skeleton3d';
import { maskFromRows } from './bruteforce';

function planeRows(input: string[]): string[] {
  const width = input[0].length;
  const out = skeletonize3d(maskFromRows(input), width, input.length, 1);
  const rows: string[] = [];
  for (let y = 0; y < input.length; y++) rows.push(Array.from(out.subarray(y * width, (y + 1) * width)).join(''));
  return rows;
}

// scikit-image tests/skimage/morphology/test_skeletonize.py, method "lee", on 2D images (one
// slice: the four in-plane border directions), inputs and expected skeletons as published.
describe('Lee thinning: scikit-image published cases', () => {
  test('test_skeletonize_all_foreground (3×4, lee): the middle row', () => {
    assert.deepEqual(planeRows(['1111', '1111', '1111']), ['0000', '1111', '0000']);
  });

  test('test_no_foreground, test_single_point, test_vec_1d, test_already_thinned', () => {
    assert.deepEqual(planeRows(['00000', '00000', '00000']), ['00000', '00000', '00000']);
    assert.deepEqual(planeRows(['00000', '00000', '00000', '00010', '00000']), ['00000', '00000', '00000', '00010', '00000']);
    assert.deepEqual(planeRows(['1', '1', '1', '1', '1']), ['1', '1', '1', '1', '1']);
    const thin = ['00000', '00000', '00001', '01110', '10000'];
    assert.deepEqual(planeRows(thin), thin);
  });
});

describe('Lee thinning in 3D: properties', () => {
  test('a solid bar thins to a one-voxel line along its axis that keeps its length', () => {
    // 3×3 cross-section, 9 long along x, in a 11×5×5 volume
    const [w, h, d] = [11, 5, 5];
    const bar = new Uint8Array(w * h * d);
    for (let z = 1; z <= 3; z++) for (let y = 1; y <= 3; y++) for (let x = 1; x <= 9; x++) bar[(z * h + y) * w + x] = 1;
    const skeleton = skeletonize3d(bar, w, h, d);
    const voxels = [...skeleton.keys()].filter((i) => skeleton[i]);
    assert.ok(voxels.length >= 5, `${voxels.length} voxels`);
    for (const i of voxels) {
      assert.equal(bar[i], 1, 'inside the bar');
      const y = Math.floor(i / w) % h;
      const z = Math.floor(i / (w * h));
      assert.deepEqual([y, z], [2, 2], 'on the axis');
    }
  });

  test('a hollow cube keeps a closed surface: the cavity stays cut off from the outside', () => {
    const n = 9;
    const shell = new Uint8Array(n * n * n);
    for (let z = 1; z < 8; z++) for (let y = 1; y < 8; y++) for (let x = 1; x < 8; x++) shell[(z * n + y) * n + x] = Math.max(Math.abs(x - 4), Math.abs(y - 4), Math.abs(z - 4)) <= 1 ? 0 : 1;
    const skeleton = skeletonize3d(shell, n, n, n);
    assert.ok(skeleton.reduce((a, b) => a + b, 0) < shell.reduce((a, b) => a + b, 0), 'thinned');
    // 6-connected flood of the background from the cavity's centre must not reach the volume's edge
    const seen = new Uint8Array(n * n * n);
    const stack = [(4 * n + 4) * n + 4];
    seen[stack[0]] = 1;
    let escaped = false;
    while (stack.length) {
      const i = stack.pop()!;
      const [x, y, z] = [i % n, Math.floor(i / n) % n, Math.floor(i / (n * n))];
      if (x === 0 || y === 0 || z === 0 || x === n - 1 || y === n - 1 || z === n - 1) escaped = true;
      for (const [dx, dy, dz] of [[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]]) {
        const [a, b, c] = [x + dx, y + dy, z + dz];
        if (a < 0 || b < 0 || c < 0 || a >= n || b >= n || c >= n) continue;
        const j = (c * n + b) * n + a;
        if (!seen[j] && skeleton[j] === 0) {
          seen[j] = 1;
          stack.push(j);
        }
      }
    }
    assert.equal(escaped, false);
  });
});
