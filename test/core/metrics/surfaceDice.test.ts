import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { surfaceDice, contourLengths } from '../../../server/src/core/metrics/surfaceDice';
import { assertClose, maskFromRows } from './bruteforce';

function pixels(width: number, height: number, points: [x: number, y: number][]): Uint8Array {
  const mask = new Uint8Array(width * height);
  for (const [x, y] of points) mask[y * width + x] = 1;
  return mask;
}

describe('contourLengths', () => {
  test('marching-squares pieces at anisotropic spacing', () => {
    const lengths = contourLengths(1, 2);
    const halfDiagonal = 0.5 * Math.sqrt(5);
    assert.equal(lengths[0], 0);
    assert.equal(lengths[15], 0);
    for (const code of [1, 2, 4, 8, 7, 11, 13, 14]) assert.equal(lengths[code], halfDiagonal, `code ${code}`);
    assert.equal(lengths[0b0011], 1, 'a horizontal step is one pixel wide');
    assert.equal(lengths[0b1010], 2, 'a vertical step is one pixel tall');
    assert.equal(lengths[0b1001], 2 * halfDiagonal);
  });
});

describe('surfaceDice: hand computations', () => {
  test('two single pixels three apart: NSD 0 at τ 1, 0.5 at τ 2, 1 at τ 3', () => {
    // Each pixel's surface is its 4 corners (half-diagonal each); R's right corners are 2 from P's
    // left corners, R's left ones 3.
    const ref = pixels(9, 5, [[2, 2]]);
    const pred = pixels(9, 5, [[5, 2]]);
    for (const method of ['disc', 'edt'] as const) {
      assert.equal(surfaceDice(ref, pred, [9, 5, 1], [1, 1, 1], 1, undefined, method), 0, method);
      assert.equal(surfaceDice(ref, pred, [9, 5, 1], [1, 1, 1], 2, undefined, method), 0.5, method);
      assert.equal(surfaceDice(ref, pred, [9, 5, 1], [1, 1, 1], 3, undefined, method), 1, method);
    }
  });

  test('identical masks give 1 at τ 0; the image edge closes the contour', () => {
    const mask = maskFromRows(['1100', '1110', '0000']);
    assert.equal(surfaceDice(mask, mask, [4, 3, 1], [0.7, 1.3, 1], 0), 1);
  });

  test('empty-mask rules of RESULTS.md', () => {
    const empty = new Uint8Array(12);
    const some = pixels(4, 3, [[1, 1]]);
    assert.equal(surfaceDice(empty, empty, [4, 3, 1], [1, 1, 1], 1), 1);
    assert.equal(surfaceDice(some, empty, [4, 3, 1], [1, 1, 1], 1), 0);
    assert.equal(surfaceDice(empty, some, [4, 3, 1], [1, 1, 1], 1), 0);
  });
});

// DeepMind surface-distance, surface_distance_test.py, SurfaceDistance2DTest (spacing_mm is
// (row, column) there, [x, y, z] here).
describe('surface-distance published 2D cases', () => {
  test('test_on_2_pixels_2mm_away: surface Dice at 1 mm is 0.5', () => {
    const ref = pixels(128, 128, [[70, 50]]);
    const pred = pixels(128, 128, [[72, 50]]);
    assertClose(surfaceDice(ref, pred, [128, 128, 1], [1, 2, 1], 1), 0.5, 1e-12, 'nsd');
  });

  test('test_two_squares_shifted_by_one_pixel: from the published surfels and distances', () => {
    const ref = maskFromRows(['000000', '011000', '011000', '000000', '000000', '000000']);
    const pred = maskFromRows(['000000', '011000', '011000', '011000', '000000', '000000']);
    const vertical = 2;
    const horizontal = 1;
    const diag = 0.5 * Math.sqrt(horizontal ** 2 + vertical ** 2);
    const refAreas = [diag, horizontal, diag, vertical, diag, horizontal, diag, vertical];
    const predAreas = [diag, horizontal, diag, vertical, vertical, diag, horizontal, diag, vertical, vertical];
    const predToRef = [0, 0, 0, 0, 0, vertical, vertical, vertical, 0, 0];
    const total = refAreas.reduce((a, b) => a + b) + predAreas.reduce((a, b) => a + b);
    // every reference surfel is within 1 mm (distances 0 and `horizontal`); three predicted ones are 2 mm away
    const within = refAreas.reduce((a, b) => a + b) + predAreas.filter((_, i) => predToRef[i] <= 1).reduce((a, b) => a + b);
    assertClose(surfaceDice(ref, pred, [6, 6, 1], [horizontal, vertical, 1], 1), within / total, 1e-12, 'nsd');
  });

  test('test_empty_prediction_mask / test_empty_ground_truth_mask: 0', () => {
    const one = pixels(128, 128, [[60, 50]]);
    const none = new Uint8Array(128 * 128);
    assert.equal(surfaceDice(one, none, [128, 128, 1], [2, 3, 1], 1), 0);
    assert.equal(surfaceDice(none, one, [128, 128, 1], [2, 3, 1], 1), 0);
  });
});
