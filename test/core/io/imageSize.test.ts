// readImageSize must give exactly the extent readImage decodes, for every format, without a decode.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import sharp from 'sharp';
import { readImage, readImageSize, writeNifti } from '../../../server/src/core/io';
import { buildPng, makeTempDir } from './helpers';

describe('readImageSize', () => {
  test('PNG (from IHDR, also from bytes in hand), JPEG and TIFF: width × height × 1, as decoded', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      const png = join(dir, 'a.png');
      writeFileSync(png, buildPng({ width: 5, height: 3, colourType: 0, bitDepth: 8, samples: new Array(15).fill(7) }));
      const jpeg = join(dir, 'b.jpg');
      await sharp({ create: { width: 9, height: 4, channels: 3, background: '#808080' } }).jpeg().toFile(jpeg);
      const tiff = join(dir, 'c.tif');
      await sharp({ create: { width: 6, height: 11, channels: 3, background: '#000' } }).tiff().toFile(tiff);
      assert.deepEqual(await readImageSize(png), { width: 5, height: 3, depth: 1 });
      assert.deepEqual(await readImageSize(png, { bytes: buildPng({ width: 2, height: 8, colourType: 0, bitDepth: 8, samples: new Array(16).fill(0) }) }), { width: 2, height: 8, depth: 1 });
      assert.deepEqual(await readImageSize(jpeg), { width: 9, height: 4, depth: 1 });
      assert.deepEqual(await readImageSize(tiff), { width: 6, height: 11, depth: 1 });
      // A progressive JPEG with EXIF (orientation 6, which the decoder does not apply) has its frame header later.
      const progressive = join(dir, 'd.jpeg');
      await sharp({ create: { width: 13, height: 7, channels: 3, background: '#804020' } }).withMetadata({ orientation: 6 }).jpeg({ progressive: true }).toFile(progressive);
      assert.deepEqual(await readImageSize(progressive), { width: 13, height: 7, depth: 1 });
      for (const file of [png, jpeg, tiff, progressive]) {
        const v = await readImage(file);
        assert.deepEqual(await readImageSize(file), { width: v.width, height: v.height, depth: v.depth }, file);
      }
    } finally {
      cleanup();
    }
  });

  test('NIfTI: the volume from the header; one axial slice has depth 1; a slice beyond the volume is an InputError', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      const file = join(dir, 'ct.nii.gz');
      await writeNifti(file, { width: 4, height: 3, depth: 2, data: new Int16Array(24), spacing: [1, 1, 2] });
      assert.deepEqual(await readImageSize(file), { width: 4, height: 3, depth: 2 });
      assert.deepEqual(await readImageSize(file, { slice: 1 }), { width: 4, height: 3, depth: 1 });
      await assert.rejects(readImageSize(file, { slice: 2 }), { name: 'InputError', code: 'io/slice-out-of-range' });
    } finally {
      cleanup();
    }
  });

  test('a file that is not an image is an InputError naming it', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      const file = join(dir, 'broken.jpg');
      writeFileSync(file, 'not a jpeg');
      await assert.rejects(readImageSize(file), (err: Error & { code?: string }) => err.name === 'InputError' && err.code === 'io/unreadable' && err.message.includes(file));
    } finally {
      cleanup();
    }
  });
});
