import { after, describe, test } from 'node:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { decodePlainPng } from '../../../server/src/core/io/pngDecode';
import { decodePaletteIndices } from '../../../server/src/core/io/pngPalette';
import { encodePalettePng, encodePng, readImage } from '../../../server/src/core/io';
import { decodeWithSharp } from '../../../server/src/core/io/raster';
import { buildPng, buildPngWithIdat, makeTempDir, zlibBomb } from './helpers';

/** A smooth gradient with texture, so libpng's adaptive filtering picks Sub, Up, Average and Paeth rows. */
function pixels(width: number, height: number, channels: number, max: number): number[] {
  const out: number[] = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) out.push(Math.round((((x * (c + 1) + y * 3 + ((x * y) % 7)) % (width + height)) / (width + height)) * max * 0.9) + ((x + c) % 3));
    }
  }
  return out;
}

describe('decodePlainPng', () => {
  const { dir, cleanup } = makeTempDir();
  after(cleanup);
  const width = 37;
  const height = 23;
  for (const bits of [8, 16] as const) {
    for (const channels of [1, 2, 3, 4] as const) {
      test(`${bits}-bit, ${channels} channel(s) written by libpng (adaptive filters): the fast path reads what libvips reads`, async () => {
        // libvips takes raw input as 8-bit; 16-bit files come from its grey16/rgb16 conversion.
        const values = pixels(width, height, channels, 255);
        const colourspace = channels <= 2 ? (bits === 16 ? 'grey16' : 'b-w') : bits === 16 ? 'rgb16' : 'srgb';
        const png = await sharp(Buffer.from(Uint8Array.from(values)), { raw: { width, height, channels } })
          .toColourspace(colourspace)
          .png({ adaptiveFiltering: true, compressionLevel: 9 })
          .toBuffer();
        const decoded = decodePlainPng(png);
        assert.ok(decoded, 'a plain PNG takes the fast path');
        assert.equal(decoded.bitDepth, bits);
        if (bits === 8) assert.deepEqual(Array.from(decoded.data), values);
        writeFileSync(join(dir, `${bits}-${channels}.png`), png);
        const viaFastPath = await readImage(join(dir, `${bits}-${channels}.png`));
        const viaSharp = await decodeWithSharp(join(dir, `${bits}-${channels}.png`), png);
        assert.equal(viaFastPath.channels, channels);
        assert.ok(bits === 16 ? viaFastPath.data instanceof Uint16Array : viaFastPath.data instanceof Uint8Array);
        assert.deepEqual({ ...viaFastPath, data: Array.from(viaFastPath.data) }, { ...viaSharp, data: Array.from(viaSharp.data) });
      });
    }
  }

  test('hands palette, interlaced, transparent-colour and 1-bit PNGs to sharp (undefined)', async () => {
    const grey = Buffer.from(Uint8Array.from(pixels(16, 16, 1, 255)));
    const interlaced = await sharp(grey, { raw: { width: 16, height: 16, channels: 1 } }).png({ progressive: true }).toBuffer();
    assert.equal(decodePlainPng(interlaced), undefined);
    const palette = buildPng({ width: 2, height: 2, colourType: 3, bitDepth: 8, samples: [0, 1, 1, 0], palette: [[0, 0, 0], [255, 0, 0]] });
    assert.equal(decodePlainPng(palette), undefined);
    const oneBit = buildPng({ width: 8, height: 1, colourType: 0, bitDepth: 1, samples: [0, 1, 0, 1, 1, 1, 0, 0] });
    assert.equal(decodePlainPng(oneBit), undefined);
    // A tRNS chunk (transparent grey value) right after IHDR: libvips adds an alpha channel for it.
    const plain = buildPng({ width: 2, height: 1, colourType: 0, bitDepth: 8, samples: [0, 9] });
    const trns = Buffer.from([0, 0, 0, 2, 0x74, 0x52, 0x4e, 0x53, 0, 9]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE((await import('node:zlib')).crc32(trns.subarray(4)));
    const withTrns = Buffer.concat([plain.subarray(0, 33), trns, crc, plain.subarray(33)]);
    assert.equal(decodePlainPng(withTrns), undefined);
  });

  test('damaged data throws: a flipped IDAT byte (CRC), a cut file, an undecodable stream', () => {
    const png = Buffer.from(buildPng({ width: 8, height: 8, colourType: 0, bitDepth: 8, samples: pixels(8, 8, 1, 255) }));
    const flipped = Buffer.from(png);
    flipped[45] ^= 0xff; // inside IDAT (IHDR ends at byte 33, IDAT data starts at 41)
    assert.throws(() => decodePlainPng(flipped), /CRC error in chunk IDAT/);
    assert.throws(() => decodePlainPng(png.subarray(0, png.length - 20)), /cut short/);
  });
});

describe('encoders', () => {
  test('encodePng with 16-bit samples round-trips through libpng (sharp) big-endian', async () => {
    const values = Uint16Array.from([0, 1, 258, 65535, 32768, 513]);
    const png = await encodePng(values, 3, 2, 1);
    const { data, info } = await sharp(png).toColourspace('grey16').raw({ depth: 'ushort' }).toBuffer({ resolveWithObject: true });
    assert.equal(info.channels, 1);
    assert.deepEqual(Array.from(new Uint16Array(data.buffer, data.byteOffset, 6)), Array.from(values));
  });

  test('encodePalettePng packs 4 colours at 2 bits; libpng expands them to the palette RGBA, our reader gives the indices', async () => {
    const palette = [[0, 0, 0, 0], [0, 158, 115, 255], [213, 94, 0, 255], [0, 114, 178, 255]] as const;
    const width = 7; // not a multiple of 4 pixels per byte: the last byte of each row is partly padding
    const height = 3;
    const indices = Uint8Array.from({ length: width * height }, (_, i) => (i * 5 + (i >> 3)) % 4);
    const png = await encodePalettePng(indices, width, height, palette);
    assert.equal(png[24], 2, 'bit depth 2');
    assert.equal(png[25], 3, 'colour type 3 (palette)');
    assert.deepEqual(Array.from(decodePaletteIndices(png).indices), Array.from(indices));
    const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    assert.equal(info.channels, 4);
    for (let i = 0; i < indices.length; i++) assert.deepEqual(Array.from(data.subarray(4 * i, 4 * i + 4)), palette[indices[i]], `pixel ${i}`);
  });

  test('encodePalettePng refuses an index outside the palette', async () => {
    await assert.rejects(encodePalettePng(Uint8Array.of(0, 3), 2, 1, [[0, 0, 0, 255], [1, 1, 1, 255]]), /index 3 at pixel 1 is outside the 2-colour palette/);
  });
});

describe('decompression bombs in IDAT', () => {
  // 32×24 8-bit grey: IHDR implies 24 rows × (1 filter byte + 32 samples) = 792 inflated bytes;
  // the stream holds 256 MiB of zeros (row filter 0, value 0 everywhere).
  const bomb = () => zlibBomb(new Uint8Array(0), 256);

  test('the fast path stops inflating at the size IHDR implies and says so', () => {
    const png = buildPngWithIdat({ width: 32, height: 24, colourType: 0, bitDepth: 8 }, bomb());
    // The message names the bound it stopped at (no time bound: those fail on a busy machine).
    assert.throws(() => decodePlainPng(png), /the image data inflates to more than the 792 bytes IHDR's 32×24 pixels take/);
  });

  test('so does the palette decoder, interlaced or not; and it refuses more pixels than sharp reads', () => {
    const palette: [number, number, number][] = [[0, 0, 0], [255, 0, 0]];
    // Adam7 of 32×24 at 8 bits: passes of 4×3, 4×3, 8×3, 8×6, 16×6, 16×12, 32×12 pixels,
    // each row one filter byte more: 15 + 15 + 27 + 54 + 102 + 204 + 396 = 813 bytes.
    for (const [interlaced, expected] of [[false, 792], [true, 813]] as const) {
      const png = buildPngWithIdat({ width: 32, height: 24, colourType: 3, bitDepth: 8, interlaced, palette }, bomb());
      assert.throws(() => decodePaletteIndices(png), new RegExp(`inflates to more than the ${expected} bytes`));
    }
    const wide = buildPngWithIdat({ width: 100_000, height: 100_000, colourType: 3, bitDepth: 8, palette }, zlibBomb(new Uint8Array(0), 1));
    assert.throws(() => decodePaletteIndices(wide), /100000×100000 pixels are more than the 268402689/);
  });
});
