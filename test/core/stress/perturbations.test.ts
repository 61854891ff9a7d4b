import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BinaryMask, ImageVolume } from '../../../server/src/core/io';
import { perturbImage, perturbReference } from '../../../server/src/core/stress/applyPerturbation';
import { flipMap, rotationMap, transformImage, transformMask } from '../../../server/src/core/stress/geometricPerturbations';
import { addGaussianNoise, gaussianBlur, reduceContrast, shiftBrightness } from '../../../server/src/core/stress/intensityPerturbations';
import { jpegRoundTrip } from '../../../server/src/core/stress/jpegPerturbation';
import { perturbationLevels, perturbedImageHash, type PerturbationLevel } from '../../../server/src/core/stress/perturbations';
import { createRandom } from '../../../server/src/core/util/random';

function volume(width: number, height: number, channels: number, data: ImageVolume['data'], bitDepth = 8): ImageVolume {
  return { width, height, depth: 1, channels, data, bitDepth, spacing: [1, 1, 1], spacingKnown: false, format: 'png' };
}
function mask(width: number, height: number, data: Uint8Array): BinaryMask {
  return { width, height, depth: 1, data, spacing: [1, 1, 1], spacingKnown: false };
}
const level = (kind: PerturbationLevel['kind'], strength: number): PerturbationLevel => ({ kind, strength, label: '' });

describe('intensity perturbations', () => {
  const random = Uint8Array.from({ length: 32 * 24 * 3 }, (_, i) => (i * 37 + 11) % 256);

  test('noise at strength 0 is the identity (and so is level 0 of every kind)', async () => {
    const v = volume(32, 24, 3, random);
    assert.deepEqual(addGaussianNoise(v, 0, createRandom(1)).data, random);
    for (const kind of ['gaussian_noise', 'blur', 'contrast', 'brightness', 'jpeg', 'rotation', 'flip'] as const) {
      assert.equal(await perturbImage(v, perturbationLevels(kind)[0], 1), v);
    }
  });

  test('noise: σ as a fraction of 255, seeded, alpha untouched', () => {
    const n = 64 * 64;
    const data = new Uint8Array(2 * n);
    for (let i = 0; i < n; i++) {
      data[2 * i] = 128;
      data[2 * i + 1] = 77; // alpha
    }
    const v = volume(64, 64, 2, data);
    const a = addGaussianNoise(v, 0.1, createRandom(9));
    const b = addGaussianNoise(v, 0.1, createRandom(9));
    assert.deepEqual(a.data, b.data);
    assert.notDeepEqual(addGaussianNoise(v, 0.1, createRandom(10)).data, a.data);
    let sum = 0, sq = 0;
    for (let i = 0; i < n; i++) {
      const x = a.data[2 * i] - 128;
      sum += x;
      sq += x * x;
      assert.equal(a.data[2 * i + 1], 77);
    }
    const sd = Math.sqrt(sq / n - (sum / n) ** 2);
    assert.ok(Math.abs(sd - 25.5) < 1, `σ ≈ 25.5, got ${sd}`); // 4096 samples: SE of σ ≈ 0.28
    assert.ok(Math.abs(sum / n) < 1.5);
  });

  test('contrast and brightness by hand, with rounding and clipping', () => {
    const v = volume(4, 1, 1, Uint8Array.from([0, 100, 200, 100])); // mean 100
    assert.deepEqual([...reduceContrast(v, 0.5).data], [50, 100, 150, 100]);
    assert.deepEqual([...shiftBrightness(volume(3, 1, 1, Uint8Array.from([0, 100, 250])), 0.1).data], [26, 126, 255]); // +25.5
    // Signed data (HU): the image's own range, −1000…1000, shift 0.1·2000 = 200, clipped at the top.
    const ct = volume(3, 1, 1, Int16Array.from([-1000, 0, 1000]), 16);
    assert.deepEqual([...shiftBrightness(ct, 0.1).data], [-800, 200, 1000]);
  });

  test('blur of an impulse is the outer product of the sampled Gaussian (σ = 1, radius 3)', () => {
    const w = 15;
    const data = new Float32Array(w * w);
    data[7 * w + 7] = 1;
    const out = gaussianBlur(volume(w, w, 1, data, 32), 1).data;
    let z = 0;
    for (let t = -3; t <= 3; t++) z += Math.exp(-(t * t) / 2);
    for (let y = 0; y < w; y++)
      for (let x = 0; x < w; x++) {
        const dx = x - 7, dy = y - 7;
        const expected = Math.abs(dx) <= 3 && Math.abs(dy) <= 3 ? Math.exp(-(dx * dx + dy * dy) / 2) / (z * z) : 0;
        assert.ok(Math.abs(out[y * w + x] - expected) < 1e-6, `(${x}, ${y}): ${out[y * w + x]} vs ${expected}`);
      }
  });

  test('blur keeps a constant image constant up to its edges (replicated border)', () => {
    const v = volume(9, 7, 3, new Uint8Array(9 * 7 * 3).fill(77));
    assert.ok(gaussianBlur(v, 2).data.every((x) => x === 77));
  });
});

describe('geometric perturbations move image and mask alike', () => {
  test('a quarter turn moves the right-middle pixel to the top-middle (counter-clockwise as shown)', () => {
    const img = new Uint8Array(25);
    img[2 * 5 + 4] = 200; // (x 4, y 2)
    const m = new Uint8Array(25);
    m[2 * 5 + 4] = 1;
    const map = rotationMap(5, 5, 90);
    const ri = transformImage(volume(5, 5, 1, img), map).data;
    const rm = transformMask(mask(5, 5, m), map).data;
    assert.equal(ri[0 * 5 + 2], 200);
    assert.equal(rm[0 * 5 + 2], 1);
    assert.equal(Array.from(ri).reduce((a, x) => a + x, 0), 200);
    assert.equal(rm.reduce((a, x) => a + x, 0), 1);
  });

  test('four quarter turns of an even-sized square are the identity, for image and mask', () => {
    const img = Uint8Array.from({ length: 36 * 3 }, (_, i) => (i * 53) % 256);
    const m = Uint8Array.from({ length: 36 }, (_, i) => (i * 7) % 3 === 0 ? 1 : 0);
    let v = volume(6, 6, 3, img);
    let mk = mask(6, 6, m);
    for (let k = 0; k < 4; k++) {
      v = transformImage(v, rotationMap(6, 6, 90));
      mk = transformMask(mk, rotationMap(6, 6, 90));
    }
    assert.deepEqual(v.data, img);
    assert.deepEqual(mk.data, m);
  });

  test('at 30°, the rotated image thresholded agrees with the rotated mask, and the lesion moves where the rotation sends it', () => {
    const w = 48, h = 40, cx0 = 30, cy0 = 14, r = 7;
    const m = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) m[y * w + x] = (x - cx0) ** 2 + (y - cy0) ** 2 <= r * r ? 1 : 0;
    const img = Uint8Array.from(m, (x) => x * 200);
    const lv = level('rotation', 30);
    const rm = perturbReference(mask(w, h, m), lv).data;
    const map = rotationMap(w, h, 30);
    const ri = transformImage(volume(w, h, 1, img), map).data;
    let disagree = 0, area = 0, sx = 0, sy = 0;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        if ((ri[i] > 100 ? 1 : 0) !== rm[i]) disagree++;
        if (rm[i]) {
          area++;
          sx += x;
          sy += y;
        }
      }
    const before = m.reduce((a, x) => a + x, 0);
    assert.ok(disagree <= 0.05 * before, `${disagree} pixels disagree`);
    assert.ok(Math.abs(area - before) <= 0.05 * before);
    // The centre (30, 14) is shown rotated by −30° in x-right/y-down coordinates about (23.5, 19.5).
    const t = (30 * Math.PI) / 180, dx = cx0 - 23.5, dy = cy0 - 19.5;
    const ex = 23.5 + Math.cos(t) * dx + Math.sin(t) * dy, ey = 19.5 - Math.sin(t) * dx + Math.cos(t) * dy;
    assert.ok(Math.abs(sx / area - ex) < 0.5 && Math.abs(sy / area - ey) < 0.5, `centroid (${sx / area}, ${sy / area}) vs (${ex}, ${ey})`);
  });

  test('flips by hand; non-geometric perturbations leave the reference as it is', () => {
    const m = mask(3, 2, Uint8Array.from([1, 0, 0, 1, 1, 0]));
    assert.deepEqual([...transformMask(m, flipMap(3, 2, 'horizontal')).data], [0, 0, 1, 0, 1, 1]);
    assert.deepEqual([...transformMask(m, flipMap(3, 2, 'vertical')).data], [1, 1, 0, 1, 0, 0]);
    assert.deepEqual([...perturbReference(m, { kind: 'flip', strength: 3, label: 'both' }).data], [0, 1, 1, 0, 0, 1]);
    const rgb = volume(3, 1, 3, Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]));
    assert.deepEqual([...transformImage(rgb, flipMap(3, 1, 'horizontal')).data], [7, 8, 9, 4, 5, 6, 1, 2, 3]);
    assert.equal(perturbReference(m, level('blur', 2)), m);
  });
});

describe('JPEG round trip', () => {
  test('RGB: same size and type, lossy but close; alpha kept exactly', async () => {
    const w = 32, h = 32;
    const data = new Uint8Array(w * h * 4);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) data.set([x * 8, y * 8, 128, (x * y) % 256], (y * w + x) * 4);
    const out = await jpegRoundTrip(volume(w, h, 4, data), 30);
    assert.ok(out.data instanceof Uint8Array && out.data.length === data.length);
    let err = 0, changed = 0;
    for (let i = 0; i < data.length; i++) {
      if (i % 4 === 3) assert.equal(out.data[i], data[i]);
      else {
        err += Math.abs(out.data[i] - data[i]);
        if (out.data[i] !== data[i]) changed++;
      }
    }
    assert.ok(changed > 0, 'JPEG changed some samples');
    assert.ok(err / (w * h * 3) < 6, `mean error ${err / (w * h * 3)}`);
  });

  test('16-bit grey goes through 8 bits: steps of 257, stays close', async () => {
    const w = 16, h = 16;
    const data = Uint16Array.from({ length: w * h }, (_, i) => (i % w) * 4000 + 123);
    const out = await jpegRoundTrip(volume(w, h, 1, data, 16), 90);
    assert.ok(out.data instanceof Uint16Array);
    for (let i = 0; i < data.length; i++) {
      assert.equal(out.data[i] % 257, 0);
      assert.ok(Math.abs(out.data[i] - data[i]) < 0.03 * 65535);
    }
  });
});

describe('cache identity of perturbed images', () => {
  test('level 0 is the original; kind, strength and (for noise only) the seed make a new image', () => {
    const h = 'a'.repeat(64);
    assert.equal(perturbedImageHash(h, level('blur', 0), 1), h);
    const blur1 = perturbedImageHash(h, level('blur', 1), 1);
    assert.notEqual(blur1, h);
    assert.equal(perturbedImageHash(h, level('blur', 1), 2), blur1);
    assert.notEqual(perturbedImageHash(h, level('blur', 2), 1), blur1);
    assert.notEqual(perturbedImageHash(h, level('gaussian_noise', 0.1), 1), perturbedImageHash(h, level('gaussian_noise', 0.1), 2));
    assert.notEqual(perturbedImageHash(h, level('contrast', 0.2), 1), perturbedImageHash(h, level('brightness', 0.2), 1));
  });
});
