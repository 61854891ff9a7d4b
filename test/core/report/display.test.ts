import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ImageVolume } from '../../../server/src/core/io';
import { defaultDisplayWindow, isColourImage, toDisplayRgb } from '../../../server/src/core/report/display';

function volume(data: ImageVolume['data'], channels: number, bitDepth: number, format: ImageVolume['format'] = 'png'): ImageVolume {
  const pixels = data.length / channels;
  return { width: pixels, height: 1, depth: 1, channels, data, bitDepth, spacing: [1, 1, 1], spacingKnown: false, format };
}

describe('display rule: colour images as stored, scalar images through a window', () => {
  test('8-bit RGB and RGBA: every channel as stored, no window even when one is asked for', () => {
    const rgb = volume(Uint8Array.from([10, 20, 30, 250, 128, 0]), 3, 8);
    assert.ok(isColourImage(rgb));
    assert.equal(defaultDisplayWindow(rgb), undefined);
    for (const window of [undefined, { centre: 20, width: 10 }]) {
      const shown = toDisplayRgb(rgb, 0, window);
      assert.deepEqual([...shown.rgb], [10, 20, 30, 250, 128, 0]);
      assert.equal(shown.window, undefined);
    }
    const rgba = volume(Uint8Array.from([1, 2, 3, 255, 4, 5, 6, 0]), 4, 8);
    assert.deepEqual([...toDisplayRgb(rgba).rgb], [1, 2, 3, 4, 5, 6]);
  });

  test('16-bit RGB: scaled from the full 16-bit range, so the colour balance is kept', () => {
    // round(v · 255 / 65535): 65535 → 255, 32768 → 128 (127.5019…), 257 → 1, 0 → 0.
    const shown = toDisplayRgb(volume(Uint16Array.from([65535, 32768, 257, 0, 0, 65535]), 3, 16));
    assert.deepEqual([...shown.rgb], [255, 128, 1, 0, 0, 255]);
  });

  test('8-bit grey: as stored (window 0–255); a window spreads it', () => {
    const grey = volume(Uint8Array.from([0, 100, 255]), 1, 8);
    assert.deepEqual(defaultDisplayWindow(grey), { centre: 127.5, width: 255 });
    assert.deepEqual([...toDisplayRgb(grey).rgb], [0, 0, 0, 100, 100, 100, 255, 255, 255]);
    // Centre 90, width 40: 70 → 0, 110 → 255; 100 → 30 · 255/40 = 191.25 → 191.
    assert.deepEqual([...toDisplayRgb(grey, 0, { centre: 90, width: 40 }).rgb], [0, 0, 0, 191, 191, 191, 255, 255, 255]);
  });

  test('CT in HU: the 1st and 99th percentiles (by hand on 0…100)', () => {
    const hu = new Int16Array(101);
    for (let i = 0; i <= 100; i++) hu[i] = i * 10 - 500;
    // Sorted 101 values: 1st percentile at index floor(0.01·100) = 1 (-490), 99th at ceil(0.99·100) = 99 (490).
    assert.deepEqual(defaultDisplayWindow(volume(hu, 1, 16, 'nifti')), { centre: 0, width: 980 });
  });
});
