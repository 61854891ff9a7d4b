import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { skeletonize2d } from '../../../server/src/core/metrics/skeleton';
import { maskFromRows } from './bruteforce';

const rows = (mask: Uint8Array, width: number): string[] => {
  const out: string[] = [];
  for (let y = 0; y < mask.length / width; y++) out.push(Array.from(mask.subarray(y * width, (y + 1) * width)).join(''));
  return out;
};

function skeletonRows(input: string[]): string[] {
  const width = input[0].length;
  return rows(skeletonize2d(maskFromRows(input), width, input.length), width);
}

// scikit-image tests/skimage/morphology/test_skeletonize.py (method "zhang") and the docstring of
// skimage.morphology.skeletonize: inputs and expected skeletons as published.
describe('scikit-image published cases', () => {
  test('test_no_foreground', () => {
    assert.deepEqual(skeletonRows(['00000', '00000', '00000', '00000', '00000']), ['00000', '00000', '00000', '00000', '00000']);
  });

  test('test_skeletonize_all_foreground (3×4, zhang)', () => {
    assert.deepEqual(skeletonRows(['1111', '1111', '1111']), ['0010', '1100', '0000']);
  });

  test('test_single_point', () => {
    const image = ['00000', '00000', '00000', '00010', '00000'];
    assert.deepEqual(skeletonRows(image), image);
  });

  test('test_vec_1d (a 5×1 column)', () => {
    assert.deepEqual(skeletonRows(['1', '1', '1', '1', '1']), ['1', '1', '1', '1', '1']);
  });

  test('test_already_thinned', () => {
    const image = ['00000', '00000', '00001', '01110', '10000'];
    assert.deepEqual(skeletonRows(image), image);
  });

  test('test_lut_fix', () => {
    assert.deepEqual(skeletonRows(['000000', '001000', '001100', '000110', '000011', '000000']), [
      '000000',
      '001000',
      '000100',
      '000010',
      '000001',
      '000000',
    ]);
  });

  test('docstring ellipse', () => {
    const ellipse = ['000111000', '001111100', '001111100', '001111100', '001111100', '001111100', '001111100', '001111100', '000111000'];
    const line = ['000000000', '000000000', '000000000', '000010000', '000010000', '000010000', '000010000', '000000000', '000000000'];
    assert.deepEqual(skeletonRows(ellipse), line);
  });

  test('test_num_neighbors: no 2×2 block of foreground survives', () => {
    const width = 40;
    const height = 30;
    const mask = new Uint8Array(width * height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const ring = (x - 20) ** 2 + (y - 15) ** 2;
        if ((ring < 12 ** 2 && ring >= 6 ** 2) || (x > 2 && x < 9 && y > 2 && y < 27)) mask[y * width + x] = 1;
      }
    }
    const skeleton = skeletonize2d(mask, width, height);
    for (let y = 0; y + 1 < height; y++) {
      for (let x = 0; x + 1 < width; x++) {
        const i = y * width + x;
        assert.ok(skeleton[i] + skeleton[i + 1] + skeleton[i + width] + skeleton[i + width + 1] < 4, `2×2 block at (${x}, ${y})`);
      }
    }
    // a skeleton lies inside its mask and keeps every object
    for (let i = 0; i < mask.length; i++) if (skeleton[i]) assert.equal(mask[i], 1);
    assert.ok(skeleton.some((v, i) => v && i % width < 10), 'the bar keeps a skeleton');
    assert.ok(skeleton.some((v, i) => v && i % width > 12), 'the ring keeps a skeleton');
  });
});
