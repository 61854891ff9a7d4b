import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { boundaryIou, defaultBoundaryWidth } from '../../../server/src/core/metrics/boundaryIou';
import { assertClose, maskFromRows } from './bruteforce';

const block = (width: number, height: number, x0: number, y0: number, w: number, h: number): Uint8Array => {
  const mask = new Uint8Array(width * height);
  for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) mask[y * width + x] = 1;
  return mask;
};

describe('defaultBoundaryWidth: round(2 % of the diagonal), at least 1', () => {
  test('hand values', () => {
    assert.equal(defaultBoundaryWidth([512, 512, 1]), 14); // 0.02 · 724.08 = 14.48
    assert.equal(defaultBoundaryWidth([100, 100, 1]), 3); // 2.83
    assert.equal(defaultBoundaryWidth([10, 10, 1]), 1); // 0.28, raised to 1
    assert.equal(defaultBoundaryWidth([512, 512, 300]), 16); // 0.02 · 783.76 = 15.68
    // a diagonal of exactly 125 gives 2.5, which Python's round() takes to the even 2
    assert.equal(defaultBoundaryWidth([75, 100, 1]), 2);
  });
});

describe('boundaryIou: hand computations', () => {
  test('two 4×4 squares one pixel apart diagonally, band 1: 2 / 22', () => {
    // Each band is the 12-pixel ring of its square; the rings share the pixels (3, 1) and (1, 3).
    const ref = block(6, 6, 0, 0, 4, 4);
    const pred = block(6, 6, 1, 1, 4, 4);
    assertClose(boundaryIou(ref, pred, [6, 6, 1], 1), 2 / 22, 1e-15, 'boundary IoU');
  });

  test('a band wider than the objects makes it the mask IoU (9 / 23)', () => {
    const ref = block(6, 6, 0, 0, 4, 4);
    const pred = block(6, 6, 1, 1, 4, 4);
    assertClose(boundaryIou(ref, pred, [6, 6, 1], 2), 9 / 23, 1e-15, 'boundary IoU');
  });

  test('the image edge counts as background: a full image is all band at its rim', () => {
    // 5×5 full image against its 3×3 centre, band 1: the full image's band is its 16-pixel rim,
    // the centre's band its 8-pixel ring (its middle pixel survives the erosion): they do not meet
    const full = block(5, 5, 0, 0, 5, 5);
    const centre = block(5, 5, 1, 1, 3, 3);
    assert.equal(boundaryIou(full, centre, [5, 5, 1], 1), 0);
    assert.equal(boundaryIou(full, full, [5, 5, 1], 1), 1);
  });

  test('3D uses the 3×3×3 element: a 3×3×3 cube keeps its centre voxel out of the band', () => {
    const cube = new Uint8Array(5 * 5 * 5);
    for (let z = 1; z < 4; z++) for (let y = 1; y < 4; y++) for (let x = 1; x < 4; x++) cube[(z * 5 + y) * 5 + x] = 1;
    const withoutCentre = cube.slice();
    withoutCentre[(2 * 5 + 2) * 5 + 2] = 0;
    // band(cube) = 26 voxels; band(cube minus centre) = all its 26 voxels: identical bands
    assert.equal(boundaryIou(cube, withoutCentre, [5, 5, 5], 1), 1);
  });

  test('empty-mask rules of RESULTS.md', () => {
    const empty = new Uint8Array(16);
    const some = maskFromRows(['0000', '0110', '0110', '0000']);
    assert.equal(boundaryIou(empty, empty, [4, 4, 1], 1), 1);
    assert.equal(boundaryIou(some, empty, [4, 4, 1], 1), 0);
    assert.equal(boundaryIou(empty, some, [4, 4, 1], 1), 0);
    assert.throws(() => boundaryIou(some, some, [4, 4, 1], 0), /band width 0/);
  });
});
