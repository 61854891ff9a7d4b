import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ImageVolume } from '../../../server/src/core/io/types';
import { MASK_LABELS_CAP, maskLabels } from '../../../server/src/core/scan/labels';

function volume(data: ImageVolume['data'], channels = 1): ImageVolume {
  return { width: data.length / channels, height: 1, depth: 1, channels, data, bitDepth: 8, spacing: [1, 1, 1], spacingKnown: false, format: 'png' };
}

describe('maskLabels', () => {
  test('the distinct non-zero values, ascending, for every sample type; 0 and NaN are no label', () => {
    assert.deepEqual(maskLabels(volume(new Uint8Array([0, 2, 2, 1, 0, 3, 1]))), { labels: [1, 2, 3] });
    assert.deepEqual(maskLabels(volume(new Uint8Array([0, 0]))), { labels: [] });
    assert.deepEqual(maskLabels(volume(new Uint16Array([0, 65535, 65535]))), { labels: [65535] });
    assert.deepEqual(maskLabels(volume(new Int16Array([0, -1, 5, -1]))), { labels: [-1, 5] });
    assert.deepEqual(maskLabels(volume(new Float32Array([0, NaN, 2, 0.5, -0]))), { labels: [0.5, 2] });
  });

  test('grey saved as RGB(A) reads the grey value; a truly coloured pixel makes it a colour mask (no labels)', () => {
    assert.deepEqual(maskLabels(volume(new Uint8Array([0, 0, 0, 255, 2, 2, 2, 255]), 4)), { labels: [2] });
    assert.deepEqual(maskLabels(volume(new Uint8Array([0, 0, 0, 0, 255, 0]), 3)), {});
  });

  test(`more than ${MASK_LABELS_CAP} values: the first ${MASK_LABELS_CAP} met, sorted, and moreLabels (an anti-aliased mask)`, () => {
    const ramp = Uint8Array.from({ length: 200 }, (_, i) => 200 - i); // 200, 199, …, 1
    const r = maskLabels(volume(ramp));
    assert.equal(MASK_LABELS_CAP, 64);
    assert.equal(r.moreLabels, true);
    assert.deepEqual(r.labels, Array.from({ length: 64 }, (_, i) => 137 + i)); // 200 down to 137, ascending
    // A colour pixel after the cap still makes it a colour mask.
    const rgb = new Uint8Array(3 * 70);
    for (let i = 0; i < 69; i++) rgb.fill(i + 1, 3 * i, 3 * i + 3);
    rgb.set([9, 0, 0], 3 * 69);
    assert.deepEqual(maskLabels(volume(rgb, 3)), {});
  });
});
