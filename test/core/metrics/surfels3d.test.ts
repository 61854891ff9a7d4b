import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cornerCodes3d, surfelAreas, SURFEL_TRIANGLES, voxelBit } from '../../../server/src/core/metrics/surfels3d';
import type { Spacing } from '../../../server/src/core/metrics/distance';
import { assertClose } from './bruteforce';

// DeepMind surface-distance's create_table_neighbour_code_to_surface_area, re-indexed by our codes
// (written by test/fixtures/metrics/make_surface_dice_3d.py from the package itself).
const fixture: { tables: { spacing: [number, number, number]; areas: number[] }[] } = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'fixtures', 'metrics', 'surface_dice_3d.json'), 'utf8'),
);

describe('surfelAreas: the marching-cubes surfel area of every 2×2×2 code', () => {
  test('equals surface-distance’s table at isotropic and anisotropic spacings, all 256 codes', () => {
    assert.equal(fixture.tables.length, 4);
    for (const { spacing, areas } of fixture.tables) {
      const ours = surfelAreas(spacing);
      for (let code = 0; code < 256; code++) assertClose(ours[code], areas[code], 1e-12, `code ${code} at ${spacing.join('×')}`);
    }
  });

  test('hand-computed pieces at spacing (sx, sy, sz) = (0.7, 1.3, 2.1)', () => {
    const [sx, sy, sz] = [0.7, 1.3, 2.1];
    const areas = surfelAreas([sx, sy, sz]);
    // One voxel in (or out): the triangle through the midpoints of its corner's three edges,
    // ½·|(−sx/2, sy/2, 0) × (−sx/2, 0, sz/2)| = ⅛·√(sy²sz² + sx²sz² + sx²sy²).
    const corner = Math.sqrt((sy * sz) ** 2 + (sx * sz) ** 2 + (sx * sy) ** 2) / 8;
    for (let bit = 0; bit < 8; bit++) {
      assertClose(areas[1 << bit], corner, 1e-15, `lone voxel ${bit}`);
      assertClose(areas[255 ^ (1 << bit)], corner, 1e-15, `lone hole ${bit}`);
    }
    // The lower layer (dz = 0) in: a flat sx × sy square at mid-height.
    assertClose(areas[voxelBit(0, 0, 0) | voxelBit(1, 0, 0) | voxelBit(0, 1, 0) | voxelBit(1, 1, 0)], sx * sy, 1e-15, 'z layer');
    assertClose(areas[voxelBit(0, 0, 0) | voxelBit(0, 1, 0) | voxelBit(0, 0, 1) | voxelBit(0, 1, 1)], sy * sz, 1e-15, 'x layer');
    // Two voxels side by side along x: a rectangle sx long across the y–z corner, ½·√(sy² + sz²) wide.
    assertClose(areas[voxelBit(0, 0, 0) | voxelBit(1, 0, 0)], sx * 0.5 * Math.hypot(sy, sz), 1e-15, 'x pair');
    // Two voxels on a face diagonal (ambiguous face): two separate corner triangles.
    assertClose(areas[voxelBit(0, 0, 0) | voxelBit(1, 1, 0)], 2 * corner, 1e-15, 'face diagonal');
    assert.equal(areas[0], 0);
    assert.equal(areas[255], 0);
  });

  test('a configuration and its complement carry the same triangles; a lone voxel’s 8 surfels sum to its corner-cut surface', () => {
    const spacing: Spacing = [1.1, 0.6, 3];
    const areas = surfelAreas(spacing);
    for (let code = 0; code < 256; code++) assert.equal(areas[code], areas[255 ^ code], `code ${code}`);
    assert.ok(SURFEL_TRIANGLES.every((t, code) => (code === 0 || code === 255 ? t.length === 0 : t.length >= 1 && t.length <= 4)));

    // A lone voxel in a 3×3×3 volume: its 8 corners each see it once, at a different offset.
    const mask = new Uint8Array(27);
    mask[13] = 1;
    const box = { x0: 1, y0: 1, z0: 1, width: 1, height: 1, depth: 1 };
    const codes = new Uint8Array(8);
    const surface = new Uint8Array(8);
    const list = new Int32Array(8);
    const n = cornerCodes3d(mask, 3, 3, box, codes, surface, list, new Uint8Array(8));
    assert.equal(n, 8);
    assert.deepEqual([...codes].sort((a, b) => a - b), [1, 2, 4, 8, 16, 32, 64, 128]);
    // corner (cx, cy, cz) of the 2×2×2 corner grid sees the voxel at offset (1 − cx, 1 − cy, 1 − cz)
    for (let i = 0; i < 8; i++) assert.equal(codes[i], voxelBit(1 - (i & 1), 1 - ((i >> 1) & 1), 1 - ((i >> 2) & 1)), `corner ${i}`);
    let total = 0;
    for (let i = 0; i < n; i++) total += areas[codes[list[i]]];
    const [sx, sy, sz] = spacing;
    assertClose(total, Math.sqrt((sy * sz) ** 2 + (sx * sz) ** 2 + (sx * sy) ** 2), 1e-14, 'the lone voxel’s surface');
  });
});
