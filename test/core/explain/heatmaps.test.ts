import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import sharp from 'sharp';
import { encodeHeatmapPng, heatFractions, pickEvenly, quantiseHeat, sliceWithMostForeground } from '../../../server/src/core/explain';

describe('heat fractions', () => {
  test('shares of the heat on the reference, the prediction, type I (FP) and type II (FN) pixels, by hand', () => {
    // pixels:     0    1    2    3    4    5
    const heat = [4, 3, 2, 1, 0, 10];
    const ref = Uint8Array.from([1, 1, 0, 0, 1, 0]);
    const pred = Uint8Array.from([1, 0, 1, 0, 1, 0]);
    const f = heatFractions(heat, ref, pred);
    assert.equal(f.total, 20);
    assert.equal(f.insideReference, 7 / 20); // 4 + 3 (+0)
    assert.equal(f.insidePrediction, 6 / 20); // 4 + 2 (+0)
    assert.equal(f.insideFalsePositives, 2 / 20); // pixel 2
    assert.equal(f.insideFalseNegatives, 3 / 20); // pixel 1
  });

  test('no heat: the shares are undefined, not 0', () => {
    const f = heatFractions([0, 0], Uint8Array.from([1, 0]), Uint8Array.from([0, 1]));
    assert.deepEqual(f, { total: 0 });
  });
});

describe('heatmap PNG', () => {
  test('8-bit grey, 255 at the maximum, rounded linearly; the scale is returned', async () => {
    const heat = [0, 1, 2, 4, 0.5, 3];
    assert.deepEqual([...quantiseHeat(heat).pixels], [0, 64, 128, 255, 32, 191]);
    const { png, max } = await encodeHeatmapPng(heat, 3, 2);
    assert.equal(max, 4);
    const meta = await sharp(png).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height, meta.channels, meta.depth], ['png', 3, 2, 1, 'uchar']);
    const data = await sharp(png).toColourspace('b-w').raw().toBuffer();
    assert.deepEqual([...data], [0, 64, 128, 255, 32, 191]);
  });
});

describe('which images', () => {
  test('evenly spaced in order, all when there are fewer', () => {
    const items = Array.from({ length: 10 }, (_, i) => i);
    assert.deepEqual(pickEvenly(items, 4), [0, 2, 5, 7]);
    assert.deepEqual(pickEvenly(items, 1), [0]);
    assert.deepEqual(pickEvenly(items, 20), items);
  });

  test('a volume is shown at its slice with the most reference pixels (first of equals)', () => {
    const mask = Uint8Array.from([0, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0]); // 2×2×3: slice counts 0, 2, 2
    assert.equal(sliceWithMostForeground(mask, 2, 2, 3), 1);
  });
});
