import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { InputError } from '../../../server/src/core/findings';
import { readImage, writeMaskPng, writeProbabilityPng } from '../../../server/src/core/io';
import { buildPng, makeTempDir } from './helpers';

const fixtures = join(__dirname, '../../fixtures/io');
const pillow = JSON.parse(readFileSync(join(fixtures, 'pillow_expected.json'), 'utf8'));

/** Deterministic samples that differ per pixel and channel, so a swapped or dropped channel shows. */
function samples(count: number, max: number): number[] {
  return Array.from({ length: count }, (_, i) => (i * 7919 + 13) % (max + 1));
}

async function writeAndRead(dir: string, name: string, bytes: Uint8Array) {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  return readImage(file);
}

describe('readImage: PNG built from the specification', () => {
  const cases = [
    { name: 'grey8', colourType: 0, bitDepth: 8, channels: 1 },
    { name: 'grey-alpha8', colourType: 4, bitDepth: 8, channels: 2 },
    { name: 'rgb8', colourType: 2, bitDepth: 8, channels: 3 },
    { name: 'rgba8', colourType: 6, bitDepth: 8, channels: 4 },
    { name: 'grey16', colourType: 0, bitDepth: 16, channels: 1 },
    { name: 'grey-alpha16', colourType: 4, bitDepth: 16, channels: 2 },
    { name: 'rgb16', colourType: 2, bitDepth: 16, channels: 3 },
    { name: 'rgba16', colourType: 6, bitDepth: 16, channels: 4 },
  ] as const;
  for (const c of cases) {
    test(`${c.name} decodes to the stored samples exactly`, async () => {
      const { dir, cleanup } = makeTempDir();
      try {
        const width = 7;
        const height = 5;
        const values = samples(width * height * c.channels, c.bitDepth === 16 ? 65535 : 255);
        values[0] = c.bitDepth === 16 ? 0x0102 : 1; // byte order shows: 258, not 513
        const png = buildPng({ width, height, colourType: c.colourType, bitDepth: c.bitDepth, samples: values, filters: [0, 1, 2, 3, 4] });
        const image = await writeAndRead(dir, `${c.name}.png`, png);
        assert.equal(image.width, width);
        assert.equal(image.height, height);
        assert.equal(image.depth, 1);
        assert.equal(image.channels, c.channels);
        assert.equal(image.bitDepth, c.bitDepth);
        assert.equal(image.format, 'png');
        assert.ok(c.bitDepth === 16 ? image.data instanceof Uint16Array : image.data instanceof Uint8Array);
        assert.deepEqual(Array.from(image.data), values);
        assert.deepEqual(image.spacing, [1, 1, 1]);
        assert.equal(image.spacingKnown, false);
      } finally {
        cleanup();
      }
    });
  }

  test('a palette PNG reads as colours by default and as indices on request', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      const palette: [number, number, number][] = [[0, 0, 0], [255, 0, 0], [0, 255, 0], [10, 20, 30]];
      const indices = samples(9 * 4, 3);
      const file = join(dir, 'label.png');
      writeFileSync(file, buildPng({ width: 9, height: 4, colourType: 3, bitDepth: 4, samples: indices, palette, filters: [1, 4, 3, 2] }));
      const colours = await readImage(file);
      assert.equal(colours.channels, 3);
      assert.deepEqual(Array.from(colours.data), indices.flatMap((i) => palette[i]));
      const asIndices = await readImage(file, { paletteIndices: true });
      assert.equal(asIndices.channels, 1);
      assert.equal(asIndices.bitDepth, 8, 'indices are held as 8-bit samples');
      assert.deepEqual(Array.from(asIndices.data), indices);
    } finally {
      cleanup();
    }
  });

  test('an interlaced palette PNG written by libvips gives indices whose colours match its decode', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      const width = 13;
      const height = 11;
      const rgb = Buffer.from(Array.from({ length: width * height }, (_, i) => [[200, 0, 0], [0, 90, 0], [0, 0, 255]][(i * 5 + (i >> 3)) % 3]).flat());
      const file = join(dir, 'interlaced.png');
      await sharp(rgb, { raw: { width, height, channels: 3 } }).png({ palette: true, progressive: true, dither: 0 }).toFile(file);
      const bytes = readFileSync(file);
      assert.equal(bytes[25], 3, 'palette colour type');
      assert.equal(bytes[28], 1, 'Adam7 interlace');
      const plte = bytes.indexOf(Buffer.from('PLTE'));
      const paletteOf = (i: number) => [...bytes.subarray(plte + 4 + 3 * i, plte + 7 + 3 * i)];
      const asIndices = await readImage(file, { paletteIndices: true });
      assert.deepEqual(Array.from(asIndices.data).flatMap(paletteOf), [...rgb]);
    } finally {
      cleanup();
    }
  });
});

describe('writers', () => {
  test('writeProbabilityPng stores round(p × 65535) in one 16-bit channel, clamped', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      const prob = new Float32Array([0, 1, 0.5, -0.2, 1.3, NaN, 1 / 65535, 0.25]);
      const file = join(dir, 'nested/prob.png');
      await writeProbabilityPng(file, prob, 4, 2);
      const meta = await sharp(file).metadata();
      assert.equal(meta.channels, 1);
      assert.equal(meta.depth, 'ushort');
      const image = await readImage(file);
      assert.ok(image.data instanceof Uint16Array);
      // round(0.5 × 65535) = round(32767.5) = 32768; round(0.25 × 65535) = round(16383.75) = 16384
      assert.deepEqual(Array.from(image.data), [0, 65535, 32768, 0, 65535, 0, 1, 16384]);
    } finally {
      cleanup();
    }
  });

  test('writeMaskPng writes a one-channel 8-bit 0/255 PNG', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      const data = new Uint8Array([0, 1, 1, 0, 0, 0, 1, 1, 0, 1, 0, 1]);
      const file = join(dir, 'masks/model/case.png');
      await writeMaskPng(file, { width: 4, height: 3, depth: 1, data, spacing: [1, 1, 1], spacingKnown: false });
      const meta = await sharp(file).metadata();
      assert.equal(meta.channels, 1);
      assert.equal(meta.depth, 'uchar');
      const image = await readImage(file);
      assert.equal(image.channels, 1);
      assert.deepEqual(Array.from(image.data), Array.from(data, (v) => v * 255));
    } finally {
      cleanup();
    }
  });
});

describe('readImage: TIFF and JPEG', () => {
  test('16-bit LZW TIFF written by Pillow: exact samples and the centimetre resolution as spacing', async () => {
    const expected = pillow['pillow_u16_lzw.tif'];
    assert.equal(expected.compression, 'tiff_lzw');
    const image = await readImage(join(fixtures, 'pillow_u16_lzw.tif'));
    assert.equal(image.format, 'tiff');
    assert.equal(image.width, expected.width);
    assert.equal(image.height, expected.height);
    assert.equal(image.channels, 1);
    assert.equal(image.bitDepth, 16);
    assert.ok(image.data instanceof Uint16Array);
    assert.deepEqual(Array.from(image.data), expected.values);
    assert.equal(image.spacingKnown, true);
    assert.ok(Math.abs(image.spacing[0] - expected.pixel_mm) < 1e-9);
    assert.ok(Math.abs(image.spacing[1] - expected.pixel_mm) < 1e-9);
  });

  test('16-bit LZW TIFF round trip through sharp', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      const values = new Uint16Array(samples(6 * 4, 65535));
      const file = join(dir, 'u16.tif');
      await sharp(values, { raw: { width: 6, height: 4, channels: 1 } }).toColourspace('grey16').tiff({ compression: 'lzw' }).toFile(file);
      const image = await readImage(file);
      assert.deepEqual(Array.from(image.data), Array.from(values));
      assert.equal(image.spacingKnown, false, 'an inch resolution is a print setting, not a pixel size');
    } finally {
      cleanup();
    }
  });

  test('JPEG: grey stays one channel, colour is three, CMYK becomes three; EXIF orientation is not applied', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      const grey = Buffer.from(samples(8 * 4, 255));
      const greyFile = join(dir, 'grey.jpg');
      await sharp(grey, { raw: { width: 8, height: 4, channels: 1 } }).toColourspace('b-w').jpeg().toFile(greyFile);
      const g = await readImage(greyFile);
      assert.deepEqual([g.width, g.height, g.channels, g.bitDepth, g.format], [8, 4, 1, 8, 'jpeg']);

      const rgbFile = join(dir, 'rotated.JPG');
      const rgb = Buffer.from(samples(8 * 4 * 3, 255));
      await sharp(rgb, { raw: { width: 8, height: 4, channels: 3 } }).jpeg().withMetadata({ orientation: 6 }).toFile(rgbFile);
      assert.equal((await sharp(rgbFile).metadata()).orientation, 6);
      const c = await readImage(rgbFile);
      assert.deepEqual([c.width, c.height, c.channels, c.data.length], [8, 4, 3, 8 * 4 * 3]);

      const cmyk = await readImage(join(fixtures, 'pillow_cmyk.jpg'));
      assert.deepEqual([cmyk.width, cmyk.height, cmyk.channels], [pillow['pillow_cmyk.jpg'].width, pillow['pillow_cmyk.jpg'].height, 3]);
    } finally {
      cleanup();
    }
  });
});

describe('readImage: bad input becomes an InputError naming the file', () => {
  async function rejection(file: string, options?: { slice?: number }): Promise<InputError> {
    try {
      await readImage(file, options);
    } catch (error) {
      assert.ok(error instanceof InputError, `expected InputError, got ${String(error)}`);
      assert.equal(error.file, file);
      assert.ok(error.message.includes(file), error.message);
      assert.ok(!error.message.includes('    at '), 'no stack in the message');
      return error;
    }
    assert.fail('expected a rejection');
  }

  test('a truncated PNG', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      const png = buildPng({ width: 64, height: 64, colourType: 0, bitDepth: 8, samples: samples(64 * 64, 255) });
      const file = join(dir, 'cut.png');
      writeFileSync(file, png.subarray(0, Math.floor(png.length / 2)));
      const error = await rejection(file);
      assert.equal(error.code, 'io/unreadable');
      assert.match(error.message, /is not a readable PNG \(corrupt or truncated\?\).*re-export it or remove it from the dataset/);
    } finally {
      cleanup();
    }
  });

  test('a text file named .png, a missing file, an unsupported extension, a slice of a 2D image', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      const fake = join(dir, 'fake.png');
      writeFileSync(fake, 'not an image at all');
      assert.equal((await rejection(fake)).code, 'io/unreadable');
      assert.equal((await rejection(join(dir, 'missing.png'))).code, 'io/not-found');
      const bmp = await rejection(join(dir, 'scan.bmp'));
      assert.equal(bmp.code, 'io/unsupported');
      assert.match(bmp.message, /\.nii\.gz, \.nii, \.png, \.jpg, \.jpeg, \.tif, \.tiff/);
      const png = join(dir, 'ok.png');
      writeFileSync(png, buildPng({ width: 2, height: 2, colourType: 0, bitDepth: 8, samples: [1, 2, 3, 4] }));
      assert.equal((await readImage(png, { slice: 0 })).depth, 1);
      assert.equal((await rejection(png, { slice: 1 })).code, 'io/slice-out-of-range');
    } finally {
      cleanup();
    }
  });
});
