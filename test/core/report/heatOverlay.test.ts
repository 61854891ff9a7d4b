import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import sharp from 'sharp';
import { composeHeatOverlay, heatRgba, heatThumbnail, jpegDataUri, REFERENCE_OUTLINE, thumbnailSize } from '../../../server/src/core/report/heatOverlay';

describe('heatRgba', () => {
  test('the ramp by hand: transparent below 2 %, dark purple → red → yellow, opacity 60 + 170·p', () => {
    assert.deepEqual(heatRgba(0), [0, 0, 0, 0]);
    assert.deepEqual(heatRgba(0.019), [0, 0, 0, 0]);
    assert.deepEqual(heatRgba(Number.NaN), [0, 0, 0, 0]);
    // p = 0.02: r = 255·0.04 = 10.2, g = 0, b = 128·0.98 = 125.44, a = 60 + 3.4 = 63.4.
    assert.deepEqual(heatRgba(0.02), [10, 0, 125, 63]);
    // p = 0.5: r = 255, g = 0, b = 64, a = 145.
    assert.deepEqual(heatRgba(0.5), [255, 0, 64, 145]);
    // p = 0.75: g = 255·0.5 = 127.5 → 128, b = 32, a = 187.5 → 188.
    assert.deepEqual(heatRgba(0.75), [255, 128, 32, 188]);
    assert.deepEqual(heatRgba(1), [255, 255, 0, 230]);
    assert.deepEqual(heatRgba(7), [255, 255, 0, 230], 'clamped at 1');
  });
});

describe('composeHeatOverlay', () => {
  test('blends heat over the image and outlines the reference (hand-computed 4 × 3 image)', () => {
    const width = 4;
    const height = 3;
    const rgb = new Uint8Array(width * height * 3).fill(100);
    // Heat 255 at (1, 1), 0 elsewhere; the reference covers x 1..3, y 0..2 except (3, 1) is foreground too: all of it.
    const heat = new Uint8Array(width * height);
    heat[1 * width + 1] = 255;
    heat[1 * width + 0] = 128; // 128/255 = 0.50196: r 255, g 1, b 64, a 145 (60 + 85.33)
    const reference = Uint8Array.from([0, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1]);
    const out = composeHeatOverlay(rgb, heat, reference, width, height);
    const at = (x: number, y: number) => Array.from(out.subarray(3 * (y * width + x), 3 * (y * width + x) + 3));
    // (0, 0): no heat, not reference: the image.
    assert.deepEqual(at(0, 0), [100, 100, 100]);
    // (0, 1): heat 128 → [255, 1, 64] at alpha 145/255: 100·110/255 + c·145/255.
    const a = 145 / 255;
    assert.deepEqual(at(0, 1), [Math.round(100 * (1 - a) + 255 * a), Math.round(100 * (1 - a) + 1 * a), Math.round(100 * (1 - a) + 64 * a)]);
    assert.deepEqual(at(0, 1), [188, 44, 80]);
    // (1, 1): heat 255 under the reference, but on its border (left neighbour is background): the outline wins.
    assert.deepEqual(at(1, 1), [...REFERENCE_OUTLINE]);
    // (2, 1): inside the reference, every 4-neighbour foreground: not outlined, no heat.
    assert.deepEqual(at(2, 1), [100, 100, 100]);
    // (3, 1): foreground on the image edge: outlined.
    assert.deepEqual(at(3, 1), [...REFERENCE_OUTLINE]);
    // (1, 0), (2, 0): top edge: outlined.
    assert.deepEqual(at(2, 0), [...REFERENCE_OUTLINE]);
  });

  test('heat 255 inside the reference: 100·25/255 + 255·230/255 = 239.8 → 240 (red, green), 9.8 → 10 (blue)', () => {
    const rgb = new Uint8Array(27).fill(100);
    const heat = new Uint8Array(9).fill(255);
    const out = composeHeatOverlay(rgb, heat, new Uint8Array(9).fill(1), 3, 3);
    assert.deepEqual(Array.from(out.subarray(12, 15)), [240, 240, 10]);
    assert.throws(() => composeHeatOverlay(rgb, heat, undefined, 3, 2), /sizes do not match/);
  });
});

describe('heatThumbnail', () => {
  test('thumbnailSize keeps the aspect with the longer side at maxSize', () => {
    assert.deepEqual(thumbnailSize(24, 20, 120), { width: 120, height: 100 });
    assert.deepEqual(thumbnailSize(512, 1024, 120), { width: 60, height: 120 });
    assert.deepEqual(thumbnailSize(1, 500, 120), { width: 1, height: 120 });
  });

  test('an 8 × 8 image grows to 120 × 120 pixel blocks; composed at that size, the outline stays one pixel', async () => {
    const rgb = new Uint8Array(8 * 8 * 3).fill(40);
    const heat = new Uint8Array(64);
    heat[3 * 8 + 3] = 255;
    const reference = new Uint8Array(64);
    for (let y = 2; y < 6; y++) for (let x = 2; x < 6; x++) reference[y * 8 + x] = 1;
    const jpeg = await heatThumbnail(rgb, heat, reference, 8, 8, { maxSize: 120, quality: 95 });
    assert.ok(jpegDataUri(jpeg).startsWith('data:image/jpeg;base64,/9j/'));
    const { data, info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([info.width, info.height, info.channels], [120, 120, 3]);
    const near = (x: number, y: number, want: number[], tolerance: number) => {
      const got = Array.from(data.subarray(3 * (y * 120 + x), 3 * (y * 120 + x) + 3));
      assert.ok(got.every((v, k) => Math.abs(v - want[k]) <= tolerance), `(${x}, ${y}): ${got} vs ${want}`);
    };
    // Pixel (3, 3) is the 15 × 15 block from 45 to 59: 40·25/255 + 255·230/255 = 233.9, blue 3.9.
    near(52, 52, [234, 234, 4], 8);
    // No heat, outside the reference: the image.
    near(7, 7, [40, 40, 40], 4);
    // Inside the reference, away from the heat and the border (block of pixel (4, 4) = 60..74): the image.
    near(67, 67, [40, 40, 40], 6);
    // The reference (pixels 2..5 → 30..89) outlined on its border column 30 only: bright there (sky
    // blue has luma 158), the image's grey two pixels in.
    const luma = (x: number, y: number) => 0.299 * data[3 * (y * 120 + x)] + 0.587 * data[3 * (y * 120 + x) + 1] + 0.114 * data[3 * (y * 120 + x) + 2];
    assert.ok(luma(30, 67) > 130, `outline luma ${luma(30, 67)}`);
    assert.ok(luma(32, 67) < 60, `inside luma ${luma(32, 67)}`);
    assert.ok(luma(28, 67) < 60, `outside luma ${luma(28, 67)}`);
  });
});
