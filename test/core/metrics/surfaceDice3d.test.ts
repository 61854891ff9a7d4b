import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { surfaceDice } from '../../../server/src/core/metrics/surfaceDice';
import type { GridSize, Spacing } from '../../../server/src/core/metrics/distance';
import { createRandom } from '../../../server/src/core/metrics';
import { assertClose } from './bruteforce';

interface Case3d {
  name: string;
  size: [number, number, number];
  spacing: [number, number, number];
  ref: string;
  pred: string;
  expected: { nsd: number; nsd_tol2_5: number; nsd_tol0_5: number };
}
// Written by test/fixtures/metrics/make_surface_dice_3d.py with DeepMind's surface-distance itself.
const fixture: {
  published: { test_two_cubes_shifted_by_one_pixel: { surface_dice_at_1mm: number } };
  cases: Case3d[];
} = JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'metrics', 'surface_dice_3d.json'), 'utf8'));

const METHODS = ['auto', 'disc', 'edt'] as const;
const bits = (s: string) => Uint8Array.from(s, (c) => (c === '1' ? 1 : 0));

function voxels(size: GridSize, points: [x: number, y: number, z: number][]): Uint8Array {
  const mask = new Uint8Array(size[0] * size[1] * size[2]);
  for (const [x, y, z] of points) mask[(z * size[1] + y) * size[0] + x] = 1;
  return mask;
}

// DeepMind surface-distance, surface_distance_test.py, SurfaceDistance3DTest. Their masks are
// indexed [z, y, x] with spacing_mm (z, y, x); ours are x fastest with spacing [x, y, z].
describe('surface-distance published 3D cases', () => {
  test('test_on_2_pixels_2mm_away: voxels [50, 60, 70] and [50, 60, 72], spacing_mm (3, 2, 1): surface Dice at 1 mm is 0.5', () => {
    const size: GridSize = [128, 128, 128];
    const ref = voxels(size, [[70, 60, 50]]);
    const pred = voxels(size, [[72, 60, 50]]);
    for (const method of METHODS) assert.equal(surfaceDice(ref, pred, size, [1, 2, 3], 1, undefined, method), 0.5, method);
  });

  test('test_two_cubes_shifted_by_one_pixel: [0:50] against [0:51] along z of 100³, spacing_mm (2, 1, 1): 0.836', () => {
    const size: GridSize = [100, 100, 100];
    const ref = new Uint8Array(100 * 100 * 100);
    const pred = new Uint8Array(100 * 100 * 100);
    ref.fill(1, 0, 50 * 100 * 100);
    pred.fill(1, 0, 51 * 100 * 100);
    for (const method of METHODS) {
      const nsd = surfaceDice(ref, pred, size, [1, 1, 2], 1, undefined, method);
      // their assertAlmostEqual(0.836, ·, places=3)
      assert.ok(Math.abs(nsd - 0.836) < 5e-4, `${method}: ${nsd} is 0.836 to 3 places`);
      assertClose(nsd, fixture.published.test_two_cubes_shifted_by_one_pixel.surface_dice_at_1mm, 1e-9, `${method}: the package's full value`);
    }
  });

  test('test_empty_prediction_mask / test_empty_ground_truth_mask: 0; both empty: 1 (RESULTS.md, where the package gives NaN)', () => {
    const size: GridSize = [128, 128, 128];
    const one = voxels(size, [[70, 60, 50]]);
    const none = new Uint8Array(128 ** 3);
    assert.equal(surfaceDice(one, none, size, [1, 2, 3], 1), 0);
    assert.equal(surfaceDice(none, one, size, [1, 2, 3], 1), 0);
    assert.equal(surfaceDice(none, none, size, [1, 2, 3], 1), 1);
  });
});

describe('surfaceDice in 3D: hand computations', () => {
  test('two voxels two apart along z (sz = 1.5): NSD 0 below 1.5 mm, 0.5 at 1.5 mm, 1 at 3 mm', () => {
    // Each voxel's surface is its 8 corners with equal areas; A's top corners (z = 3) are 1.5 mm
    // from B's bottom ones (z = 4), A's bottom ones 3 mm.
    const size: GridSize = [5, 4, 7];
    const a = voxels(size, [[2, 1, 2]]);
    const b = voxels(size, [[2, 1, 4]]);
    const spacing: Spacing = [0.6, 0.9, 1.5];
    for (const method of METHODS) {
      assert.equal(surfaceDice(a, b, size, spacing, 1.4, undefined, method), 0, method);
      assertClose(surfaceDice(a, b, size, spacing, 1.5, undefined, method), 0.5, 1e-15, method);
      assert.equal(surfaceDice(a, b, size, spacing, 3, undefined, method), 1, method);
    }
  });

  test('identical masks give 1 at τ 0, the volume faces closing the surface', () => {
    const random = createRandom(7);
    const size: GridSize = [6, 5, 4];
    const mask = Uint8Array.from({ length: 120 }, () => (random() < 0.5 ? 1 : 0));
    for (const method of METHODS) assert.equal(surfaceDice(mask, mask, size, [0.7, 1.3, 2.2], 0, undefined, method), 1, method);
  });

  test('the τ-ball search and the EDT agree on random volumes', () => {
    const random = createRandom(20261212);
    const size: GridSize = [13, 11, 9];
    for (let k = 0; k < 20; k++) {
      const ref = Uint8Array.from({ length: 13 * 11 * 9 }, () => (random() < 0.3 ? 1 : 0));
      const pred = Uint8Array.from(ref, (v) => (random() < 0.15 ? 1 - v : v));
      const spacing: Spacing = [0.5 + random(), 0.5 + random(), 1 + 2 * random()];
      const tau = 3 * random();
      const disc = surfaceDice(ref, pred, size, spacing, tau, undefined, 'disc');
      assertClose(surfaceDice(ref, pred, size, spacing, tau, undefined, 'edt'), disc, 1e-12, `volume ${k}`);
    }
  });
});

describe('surfaceDice in 3D against surface-distance on random volumes (make_surface_dice_3d.py)', () => {
  test('the fixture has volumes with anisotropic spacing, touching faces, a sheet and scattered voxels', () => {
    assert.deepEqual(fixture.cases.map((c) => c.name), ['blobs-0', 'blobs-1', 'blobs-2', 'touching-faces', 'sheet', 'scattered']);
  });
  for (const c of fixture.cases) {
    test(`${c.name}: NSD at τ 0.5, 1 and 2.5 to 1e-9`, () => {
      const ref = bits(c.ref);
      const pred = bits(c.pred);
      for (const method of METHODS) {
        assertClose(surfaceDice(ref, pred, c.size, c.spacing, 0.5, undefined, method), c.expected.nsd_tol0_5, 1e-9, `τ 0.5 (${method})`);
        assertClose(surfaceDice(ref, pred, c.size, c.spacing, 1, undefined, method), c.expected.nsd, 1e-9, `τ 1 (${method})`);
        assertClose(surfaceDice(ref, pred, c.size, c.spacing, 2.5, undefined, method), c.expected.nsd_tol2_5, 1e-9, `τ 2.5 (${method})`);
      }
    });
  }
});
