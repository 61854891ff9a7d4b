import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import sharp from 'sharp';
import { countComponents, hammingDistance, imageProperties, maskProperties, perceptualHash } from '../../../server/src/core/scan';
import type { ImageVolume } from '../../../server/src/core/io';

/** Brute-force flood fill with face connectivity, the independent reference for components. */
function floodComponents(mask: Uint8Array, w: number, h: number, d: number): number {
  const seen = new Uint8Array(mask.length);
  let count = 0;
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || seen[start]) continue;
    count++;
    const stack = [start];
    seen[start] = 1;
    while (stack.length) {
      const i = stack.pop()!;
      const z = Math.floor(i / (w * h));
      const y = Math.floor((i % (w * h)) / w);
      const x = i % w;
      for (const [dx, dy, dz] of [[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]]) {
        const nx = x + dx, ny = y + dy, nz = z + dz;
        if (nx < 0 || ny < 0 || nz < 0 || nx >= w || ny >= h || nz >= d) continue;
        const j = nz * w * h + ny * w + nx;
        if (mask[j] && !seen[j]) {
          seen[j] = 1;
          stack.push(j);
        }
      }
    }
  }
  return count;
}

function grey(width: number, height: number, values: number[], bitDepth = 8): ImageVolume {
  return {
    width, height, depth: 1, channels: 1,
    data: bitDepth === 8 ? Uint8Array.from(values) : Uint16Array.from(values),
    bitDepth, spacing: [1, 1, 1], spacingKnown: false, format: 'png',
  };
}

describe('scan properties', () => {
  test('brightness and RMS contrast of a hand-made image', () => {
    // Samples 0, 255, 255, 0 → luminance 0, 1, 1, 0: mean 0.5, population std 0.5.
    const p = imageProperties(grey(2, 2, [0, 255, 255, 0]));
    assert.equal(p.brightness, 0.5);
    assert.equal(p.contrast, 0.5);
    const q = imageProperties(grey(2, 1, [0, 65535], 16));
    assert.equal(q.brightness, 0.5);
  });

  test('colour luminance uses Rec. 601 weights and ignores alpha', () => {
    const rgba: ImageVolume = { ...grey(1, 1, [0]), channels: 4, data: Uint8Array.from([255, 0, 0, 17]) };
    assert.ok(Math.abs(imageProperties(rgba).brightness - 0.299) < 1e-7);
  });

  test('components match a brute-force flood fill (2D and 3D)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 3 }), fc.integer(), (w, h, d, seed) => {
        let s = seed >>> 0;
        const mask = new Uint8Array(w * h * d).map(() => ((s = (s * 1103515245 + 12345) >>> 0) >>> 16) % 3 === 0 ? 1 : 0);
        assert.equal(countComponents(mask, w, h, d), floodComponents(mask, w, h, d));
      }),
      { numRuns: 300 },
    );
  });

  test('mask statistics: fraction, components and physical area', () => {
    // 4×3 mask: a pair and two single pixels, only diagonally touching → 3 components.
    const data = Uint8Array.from([1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    const m = maskProperties({ width: 4, height: 3, depth: 1, data, spacing: [0.5, 0.25, 1], spacingKnown: true });
    assert.equal(m.foregroundPixels, 4);
    assert.equal(m.foregroundFraction, 4 / 12);
    assert.equal(m.components, 3);
    assert.equal(m.lesionArea, 4 * 0.5 * 0.25);
  });

  test('perceptual hash: identical → 0, re-encoded JPEG → near, unrelated → far', async () => {
    const w = 96, h = 80;
    const makeRgb = (f: (x: number, y: number) => number) => {
      const buf = Buffer.alloc(w * h * 3);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) buf[(y * w + x) * 3 + c] = f(x, y);
      return buf;
    };
    const blob = makeRgb((x, y) => ((x - 40) ** 2 + (y - 35) ** 2 < 400 ? 60 : 200));
    const stripes = makeRgb((x, y) => (Math.floor((x + 2 * y) / 12) % 2 ? 220 : 30));
    const lum = (buf: Buffer) => Float32Array.from({ length: w * h }, (_, i) => (buf[3 * i] * 0.299 + buf[3 * i + 1] * 0.587 + buf[3 * i + 2] * 0.114) / 255);
    const jpeg = await sharp(blob, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 60 }).toBuffer();
    const reDecoded = await sharp(jpeg).raw().toBuffer();
    const a = perceptualHash(lum(blob), w, h);
    assert.match(a, /^[0-9a-f]{16}$/);
    assert.equal(hammingDistance(a, perceptualHash(lum(blob), w, h)), 0);
    assert.ok(hammingDistance(a, perceptualHash(lum(reDecoded), w, h)) <= 4);
    assert.ok(hammingDistance(a, perceptualHash(lum(stripes), w, h)) >= 12);
  });

  test('hamming distance counts differing bits', () => {
    assert.equal(hammingDistance('0000000000000000', 'ffffffffffffffff'), 64);
    assert.equal(hammingDistance('0000000000000001', '0000000000000003'), 1);
  });
});
