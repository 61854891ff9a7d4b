import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { preprocess, type PreprocessInput } from '../../../server/src/core/inference';
import { image } from './support';

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-6): void {
  assert.equal(actual.length, expected.length, 'length');
  for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `index ${i}: ${actual[i]} vs ${expected[i]}`);
}

const input = (p: Partial<PreprocessInput>): PreprocessInput => ({ layout: 'NCHW', channels: 1, normalize: { kind: 'unit' }, ...p });

// Two pixels of RGB, 8-bit: (10, 100, 200) and (255, 0, 51).
const rgb = image(2, 1, 3, Uint8Array.from([10, 100, 200, 255, 0, 51]));

describe('preprocess', () => {
  test('unit: 8-bit / 255, 16-bit / 65535', () => {
    assertClose(preprocess(image(2, 1, 1, Uint8Array.from([0, 51])), 0, input({})), [0, 0.2]);
    assertClose(preprocess(image(2, 1, 1, Uint16Array.from([65535, 13107])), 0, input({})), [1, 0.2]);
  });

  test('imagenet, RGB, NCHW planes and NHWC interleaved', () => {
    const n = (v: number, c: number) => (v / 255 - [0.485, 0.456, 0.406][c]) / [0.229, 0.224, 0.225][c];
    const nchw = [n(10, 0), n(255, 0), n(100, 1), n(0, 1), n(200, 2), n(51, 2)];
    const nhwc = [n(10, 0), n(100, 1), n(200, 2), n(255, 0), n(0, 1), n(51, 2)];
    assertClose(preprocess(rgb, 0, input({ channels: 3, normalize: { kind: 'imagenet' } })), nchw, 1e-5);
    assertClose(preprocess(rgb, 0, input({ channels: 3, layout: 'NHWC', normalize: { kind: 'imagenet' } })), nhwc, 1e-5);
  });

  test('grey into a 3-channel model repeats the plane (each channel normalised with its own mean/std)', () => {
    const grey = image(2, 1, 1, Uint8Array.from([0, 255]));
    const out = preprocess(grey, 0, input({ channels: 3, normalize: { kind: 'imagenet' } }));
    const expected = [0, 1, 2].flatMap((c) => [0, 1].map((v) => (v - [0.485, 0.456, 0.406][c]) / [0.229, 0.224, 0.225][c]));
    assertClose(out, expected, 1e-5);
  });

  test('RGB into a 1-channel model is BT.601 luma; imagenet then uses the channel means of mean/std', () => {
    const luma = (r: number, g: number, b: number) => 0.299 * r + 0.587 * g + 0.114 * b;
    const l0 = luma(10, 100, 200);
    const l1 = luma(255, 0, 51);
    assertClose(preprocess(rgb, 0, input({})), [l0 / 255, l1 / 255], 1e-6);
    const mean = (0.485 + 0.456 + 0.406) / 3;
    const std = (0.229 + 0.224 + 0.225) / 3;
    assertClose(preprocess(rgb, 0, input({ normalize: { kind: 'imagenet' } })), [(l0 / 255 - mean) / std, (l1 / 255 - mean) / std], 1e-5);
  });

  test('alpha is dropped: RGBA as RGB, grey+alpha as grey', () => {
    const rgba = image(2, 1, 4, Uint8Array.from([10, 100, 200, 7, 255, 0, 51, 9]));
    assertClose(preprocess(rgba, 0, input({ channels: 3 })), [10, 255, 100, 0, 200, 51].map((v) => v / 255));
    const greyAlpha = image(2, 1, 2, Uint8Array.from([51, 255, 102, 0]));
    assertClose(preprocess(greyAlpha, 0, input({})), [0.2, 0.4]);
  });

  test('explicit mean/std act on raw values: HU for CT, 0–255 per channel for RGB', () => {
    const ct = image(3, 1, 1, Int16Array.from([-1000, 40, 150]));
    assertClose(preprocess(ct, 0, input({ normalize: { kind: 'explicit', mean: [0], std: [1] } })), [-1000, 40, 150]);
    assertClose(preprocess(ct, 0, input({ normalize: { kind: 'explicit', mean: [40], std: [400] } })), [-2.6, 0, 0.275]);
    const mmseg = { kind: 'explicit' as const, mean: [123.675, 116.28, 103.53], std: [58.395, 57.12, 57.375] };
    const out = preprocess(rgb, 0, input({ channels: 3, normalize: mmseg }));
    assertClose(out, [(10 - 123.675) / 58.395, (255 - 123.675) / 58.395, (100 - 116.28) / 57.12, (0 - 116.28) / 57.12, (200 - 103.53) / 57.375, (51 - 103.53) / 57.375], 1e-5);
  });

  test('zscore uses the mean and std of the whole volume, not of the slice', () => {
    // Two slices of 1×2: values 0, 2 | 4, 6 → mean 3, population std √5.
    const vol = image(2, 1, 1, Int16Array.from([0, 2, 4, 6]), 2);
    const s = Math.sqrt(5);
    assertClose(preprocess(vol, 0, input({ normalize: { kind: 'zscore' } })), [-3 / s, -1 / s]);
    assertClose(preprocess(vol, 1, input({ normalize: { kind: 'zscore' } })), [1 / s, 3 / s]);
    // A constant image does not divide by zero.
    assertClose(preprocess(image(2, 1, 1, Float32Array.from([5, 5])), 0, input({ normalize: { kind: 'zscore' } })), [0, 0]);
  });

  test('unit on signed or float data is min–max over the volume', () => {
    const vol = image(2, 1, 1, Int16Array.from([-1000, 0, 500, 1000]), 2);
    assertClose(preprocess(vol, 1, input({})), [0.75, 1]);
    assertClose(preprocess(vol, 0, input({})), [0, 0.5]);
  });

  test('resizes to the model size (half-pixel bilinear): 4×4 → 2×2 is the mean of each 2×2 block', () => {
    const data = Uint8Array.from([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150]);
    const out = preprocess(image(4, 4, 1, data), 0, input({ size: [2, 2], normalize: { kind: 'explicit', mean: [0], std: [1] } }));
    assertClose(out, [(0 + 10 + 40 + 50) / 4, (20 + 30 + 60 + 70) / 4, (80 + 90 + 120 + 130) / 4, (100 + 110 + 140 + 150) / 4], 1e-4);
  });

  test('size is [H, W]: a 3×1 image into [1, 5] and into [2, 3]', () => {
    const img = image(3, 1, 1, Uint8Array.from([0, 51, 255]));
    assert.equal(preprocess(img, 0, input({ size: [1, 5] })).length, 5);
    const tall = preprocess(img, 0, input({ size: [2, 3] }));
    assertClose(tall, [0, 0.2, 1, 0, 0.2, 1]);
  });

  test('takes the requested slice of a volume and refuses one outside it', () => {
    const vol = image(2, 1, 1, Uint8Array.from([0, 51, 102, 255]), 2);
    assertClose(preprocess(vol, 1, input({})), [0.4, 1]);
    assert.throws(() => preprocess(vol, 2, input({})), RangeError);
  });
});
