import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { InputError } from '../../../server/src/core/findings';
import { encodeNifti, extractSlice, readImage, readNiftiHeader, writeNifti } from '../../../server/src/core/io';
import { buildNifti, gzipBomb, makeTempDir, sampleBytes } from './helpers';

const fixtures = join(__dirname, '../../fixtures/io');
const nibabel = JSON.parse(readFileSync(join(fixtures, 'nibabel_expected.json'), 'utf8'));

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tolerance, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

async function rejection(promise: Promise<unknown>, file: string): Promise<InputError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof InputError, `expected InputError, got ${String(error)}`);
    assert.equal(error.file, file);
    assert.ok(error.message.includes(file), error.message);
    return error;
  }
  assert.fail('expected a rejection');
}

describe('NIfTI written by nibabel', () => {
  test('int16 .nii.gz with sform: values, spacing, affine', async () => {
    const expected = nibabel['nibabel_small.nii.gz'];
    const volume = await readImage(join(fixtures, 'nibabel_small.nii.gz'));
    assert.deepEqual([volume.width, volume.height, volume.depth, volume.channels], expected.shape.concat(1));
    assert.ok(volume.data instanceof Int16Array);
    assert.deepEqual(Array.from(volume.data), expected.values);
    assert.equal(volume.bitDepth, 16);
    assert.equal(volume.format, 'nifti');
    assert.equal(volume.spacingKnown, true);
    assertClose(volume.spacing, expected.spacing, 1e-9, 'spacing');
    assertClose(volume.nifti!.affine, expected.affine, 1e-6, 'affine');
    assert.deepEqual([volume.nifti!.sformCode, volume.nifti!.qformCode, volume.nifti!.datatype], [2, 1, expected.datatype]);
  });

  test('uint8 .nii with slope/intercept and a rotated, left-handed qform only', async () => {
    const expected = nibabel['nibabel_qform_scaled.nii'];
    const volume = await readImage(join(fixtures, 'nibabel_qform_scaled.nii'));
    assert.deepEqual([volume.width, volume.height, volume.depth], expected.shape);
    assert.ok(volume.data instanceof Float32Array, 'scaled data is float32');
    assert.deepEqual(Array.from(volume.data), expected.values);
    assert.equal(volume.nifti!.sformCode, 0);
    assert.equal(volume.nifti!.pixdim[0], expected.qfac);
    assertClose(volume.nifti!.affine, expected.affine, 1e-5, 'qform affine');
    assertClose(volume.spacing, expected.spacing, 1e-9, 'spacing');
  });

  test('one axial slice, from .nii.gz and from .nii, equals that slice of the whole volume', async () => {
    const small = nibabel['nibabel_small.nii.gz'];
    const perSlice = 5 * 4;
    for (const z of [0, 1, 2]) {
      const slice = await readImage(join(fixtures, 'nibabel_small.nii.gz'), { slice: z });
      assert.equal(slice.depth, 1);
      assert.deepEqual(Array.from(slice.data), small.values.slice(z * perSlice, (z + 1) * perSlice));
    }
    const scaled = nibabel['nibabel_qform_scaled.nii'];
    const whole = await readImage(join(fixtures, 'nibabel_qform_scaled.nii'));
    const slice1 = await readImage(join(fixtures, 'nibabel_qform_scaled.nii'), { slice: 1 });
    assert.deepEqual(Array.from(slice1.data), scaled.values.slice(12, 24));
    assert.deepEqual(Array.from(extractSlice(whole, 1).data), scaled.values.slice(12, 24));
    const file = join(fixtures, 'nibabel_small.nii.gz');
    assert.equal((await rejection(readImage(file, { slice: 3 }), file)).code, 'io/slice-out-of-range');
  });
});

describe('writeNifti round trips', () => {
  const arrays = {
    int16: () => Int16Array.from({ length: 4 * 3 * 2 }, (_, i) => i * 1000 - 11000),
    uint8: () => Uint8Array.from({ length: 4 * 3 * 2 }, (_, i) => (i * 37) % 256),
    float32: () => Float32Array.from({ length: 4 * 3 * 2 }, (_, i) => i / 3 - 2.5),
  };
  const datatypes = { int16: 4, uint8: 2, float32: 16 };
  for (const ext of ['.nii', '.nii.gz']) {
    for (const [type, make] of Object.entries(arrays)) {
      test(`${type} ${ext}`, async () => {
        const { dir, cleanup } = makeTempDir();
        try {
          const data = make();
          const file = join(dir, `out/vol${ext}`);
          await writeNifti(file, { width: 4, height: 3, depth: 2, data, spacing: [0.5, 0.75, 2] });
          let bytes: Uint8Array = readFileSync(file);
          assert.equal(bytes[0] === 0x1f && bytes[1] === 0x8b, ext === '.nii.gz', 'gzipped exactly when .nii.gz');
          if (ext === '.nii.gz') bytes = gunzipSync(bytes);
          const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
          assert.equal(view.getInt32(0, true), 348);
          assert.equal(view.getInt16(70, true), datatypes[type as keyof typeof datatypes]);
          assert.equal(view.getFloat32(108, true), 352);
          assert.equal(String.fromCharCode(bytes[344], bytes[345], bytes[346], bytes[347]), 'n+1\0');
          const volume = await readImage(file);
          assert.equal(volume.data.constructor, data.constructor);
          assert.deepEqual(Array.from(volume.data), Array.from(data));
          assert.deepEqual([volume.width, volume.height, volume.depth], [4, 3, 2]);
          assert.deepEqual(volume.spacing, [0.5, 0.75, 2]);
          assert.deepEqual(volume.nifti!.affine, [0.5, 0, 0, 0, 0, 0.75, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1]);
        } finally {
          cleanup();
        }
      });
    }
  }

  test('a mask written like a reference carries its sform, qform, pixdim and units, with slope 1', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      for (const name of ['nibabel_small.nii.gz', 'nibabel_qform_scaled.nii']) {
        const reference = await readImage(join(fixtures, name));
        const mask = Uint8Array.from(reference.data, (v) => (v > 0 ? 1 : 0));
        const file = join(dir, `mask_${name}`);
        await writeNifti(file, { width: reference.width, height: reference.height, depth: reference.depth, data: mask, spacing: [9, 9, 9] }, { like: reference.nifti });
        const written = await readImage(file);
        const header = written.nifti!;
        assert.deepEqual(Array.from(written.data), Array.from(mask));
        assert.deepEqual(header.affine, reference.nifti!.affine);
        assert.deepEqual(header.pixdim.slice(0, 4), reference.nifti!.pixdim.slice(0, 4));
        assert.deepEqual([header.sformCode, header.qformCode], [reference.nifti!.sformCode, reference.nifti!.qformCode]);
        assert.deepEqual([header.datatype, header.sclSlope, header.sclInter], [2, 1, 0]);
        assert.deepEqual(written.spacing, reference.spacing);
      }
      const small = await readNiftiHeader(join(fixtures, 'nibabel_small.nii.gz'));
      assert.throws(() => encodeNifti({ width: 2, height: 2, depth: 1, data: new Uint8Array(4), spacing: [1, 1, 1] }, { like: small }), /reference header is 5×4×3/);
    } finally {
      cleanup();
    }
  });

  test('encoding is deterministic, so results can be content-addressed', () => {
    const volume = { width: 3, height: 2, depth: 1, data: new Float32Array([0, 0.25, 0.5, 0.75, 1, 0.125]), spacing: [1, 1, 1] as [number, number, number] };
    assert.deepEqual(encodeNifti(volume, { gzip: true }), encodeNifti(volume, { gzip: true }));
  });
});

describe('NIfTI built byte by byte', () => {
  const values = [-300, -1, 0, 1, 2, 255, 256, 1000, 32767, -32768, 7, 8];
  const srow = [0.9, 0, 0, -10, 0, 0.8, 0, 20, 0, 0, 3, -5];

  async function readBuilt(name: string, bytes: Uint8Array, options?: { slice?: number }) {
    const { dir, cleanup } = makeTempDir();
    try {
      const file = join(dir, name);
      writeFileSync(file, bytes);
      return await readImage(file, options);
    } finally {
      cleanup();
    }
  }

  for (const version of [1, 2] as const) {
    for (const littleEndian of [true, false]) {
      test(`NIfTI-${version} ${littleEndian ? 'little' : 'big'}-endian int16 and float64 with an sform`, async () => {
        for (const [type, datatype, bitpix] of [['int16', 4, 16], ['float64', 64, 64]] as const) {
          const bytes = buildNifti({
            version, littleEndian, dims: [3, 3, 2, 2, 1, 1, 1, 1], datatype, bitpix, pixdim: [1, 0.9, 0.8, 3, 1, 0, 0, 0],
            sformCode: 1, srow, data: sampleBytes(values, type, littleEndian),
          });
          const volume = await readBuilt('built.nii', bytes);
          assert.equal(volume.nifti!.version, version);
          assert.equal(volume.nifti!.littleEndian, littleEndian);
          assert.ok(volume.data instanceof (type === 'int16' ? Int16Array : Float64Array));
          assert.deepEqual(Array.from(volume.data), values);
          assert.deepEqual([volume.width, volume.height, volume.depth], [3, 2, 2]);
          assertClose(volume.spacing, [0.9, 0.8, 3], 1e-6, 'spacing');
          assertClose(volume.nifti!.affine, [...srow, 0, 0, 0, 1], 1e-6, 'affine');
          const slice = await readBuilt('built.nii.gz', gzipSync(bytes), { slice: 1 });
          assert.deepEqual(Array.from(slice.data), values.slice(6));
        }
      });
    }
  }

  test('scl_slope/scl_inter are applied unless the slope is 0 or the pair is the identity', async () => {
    const base = { version: 1 as const, littleEndian: true, dims: [3, 4, 1, 1, 1, 1, 1, 1], datatype: 4, bitpix: 16, pixdim: [1, 1, 1, 1, 0, 0, 0, 0], data: sampleBytes([0, 1, 2, -3], 'int16', true) };
    const scaled = await readBuilt('s.nii', buildNifti({ ...base, sclSlope: 2.5, sclInter: -1 }));
    assert.ok(scaled.data instanceof Float32Array);
    assert.deepEqual(Array.from(scaled.data), [-1, 1.5, 4, -8.5]);
    for (const [sclSlope, sclInter] of [[0, 5], [1, 0]]) {
      const raw = await readBuilt('r.nii', buildNifti({ ...base, sclSlope, sclInter }));
      assert.ok(raw.data instanceof Int16Array);
      assert.deepEqual(Array.from(raw.data), [0, 1, 2, -3]);
    }
  });

  test('int8 and uint32 widen losslessly; 2D files have depth 1; a 4D file with one volume is read', async () => {
    const int8 = await readBuilt('i8.nii', buildNifti({ version: 1, littleEndian: true, dims: [2, 2, 2, 1, 1, 1, 1, 1], datatype: 256, bitpix: 8, pixdim: [1, 1, 1, 0, 0, 0, 0, 0], data: sampleBytes([-128, -1, 0, 127], 'int8', true) }));
    assert.deepEqual([Array.from(int8.data), int8.depth, int8.spacing[2]], [[-128, -1, 0, 127], 1, 1]);
    const uint32 = await readBuilt('u32.nii', buildNifti({ version: 2, littleEndian: false, dims: [4, 2, 1, 1, 1, 1, 1, 1], datatype: 768, bitpix: 32, pixdim: [1, 1, 1, 1, 1, 0, 0, 0], data: sampleBytes([4294967295, 3], 'uint32', false) }));
    assert.deepEqual(Array.from(uint32.data), [4294967295, 3]);
  });

  test('qform without sform: affine from the quaternion (90° about z, offset)', async () => {
    // b = c = 0, d = sin(45°): rotation by 90° about z maps i to +y and j to -x.
    const d = Math.SQRT1_2;
    const volume = await readBuilt('q.nii', buildNifti({ version: 1, littleEndian: true, dims: [3, 1, 1, 1, 1, 1, 1, 1], datatype: 2, bitpix: 8, pixdim: [1, 2, 3, 4, 0, 0, 0, 0], qformCode: 1, quatern: [0, 0, d], qoffset: [5, 6, 7], data: new Uint8Array([9]) }));
    assertClose(volume.nifti!.affine, [0, -3, 0, 5, 2, 0, 0, 6, 0, 0, 4, 7, 0, 0, 0, 1], 1e-6, 'affine');
  });

  test('errors: several volumes, truncated data, a .hdr/.img pair, an unknown datatype, not NIfTI at all', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      const put = (name: string, bytes: Uint8Array) => (writeFileSync(join(dir, name), bytes), join(dir, name));
      const base = { version: 1 as const, littleEndian: true, datatype: 4, bitpix: 16, pixdim: [1, 1, 1, 1, 1, 0, 0, 0] };
      const fourD = put('4d.nii', buildNifti({ ...base, dims: [4, 2, 2, 1, 3, 1, 1, 1], data: new Uint8Array(24) }));
      assert.match((await rejection(readImage(fourD), fourD)).message, /3 volumes.*only single-volume files are read/);

      const full = buildNifti({ ...base, dims: [3, 5, 4, 3, 1, 1, 1, 1], data: new Uint8Array(120) });
      const cut = put('cut.nii', full.subarray(0, 400));
      const truncated = await rejection(readImage(cut), cut);
      assert.equal(truncated.code, 'io/unreadable');
      assert.match(truncated.message, /promises 472 bytes .* has only 400/);
      const cutGz = put('cut.nii.gz', gzipSync(full.subarray(0, 400)));
      assert.match((await rejection(readImage(cutGz), cutGz)).message, /promises 472 bytes .* has only 400/);

      const pair = buildNifti({ ...base, dims: [3, 1, 1, 1, 1, 1, 1, 1], data: new Uint8Array(2) });
      pair[345] = 'i'.charCodeAt(0); // "ni1": header of a .hdr/.img pair
      const pairFile = put('pair.nii', pair);
      assert.equal((await rejection(readImage(pairFile), pairFile)).code, 'io/unsupported');

      const rgb = put('rgb.nii', buildNifti({ ...base, datatype: 128, bitpix: 24, dims: [3, 1, 1, 1, 1, 1, 1, 1], data: new Uint8Array(3) }));
      assert.match((await rejection(readImage(rgb), rgb)).message, /datatype 128 is not read \(supported: uint8, int16/);

      const text = put('text.nii.gz', gzipSync(Buffer.from('hello, this is not a NIfTI file')));
      assert.equal((await rejection(readImage(text), text)).code, 'io/unsupported');
      const missing = join(dir, 'missing.nii.gz');
      assert.equal((await rejection(readNiftiHeader(missing), missing)).code, 'io/not-found');
    } finally {
      cleanup();
    }
  });
});

describe('readNiftiHeader', () => {
  test('reads the header of a .nii.gz whose gzip stream is cut after 64 kB, which a full read cannot', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      const width = 128;
      const height = 128;
      const depth = 32;
      const data = new Int16Array(width * height * depth);
      let state = 12345;
      for (let i = 0; i < data.length; i++) {
        state = (Math.imul(state, 1103515245) + 12345) >>> 0;
        data[i] = (state >>> 20) - 2048; // incompressible enough that the gzip is ~1 MB
      }
      const gz = encodeNifti({ width, height, depth, data, spacing: [0.7, 0.7, 2.5] }, { gzip: true });
      assert.ok(gz.length > 500_000);
      const file = join(dir, 'cut.nii.gz');
      writeFileSync(file, gz.subarray(0, 65_536));
      const header = await readNiftiHeader(file);
      assert.deepEqual(header.dims.slice(0, 4), [3, width, height, depth]);
      assertClose(header.pixdim.slice(1, 4), [0.7, 0.7, 2.5], 1e-6, 'pixdim');
      assert.equal(header.voxOffset, 352);
      const error = await rejection(readImage(file), file);
      assert.equal(error.code, 'io/unreadable');
      // the first slice lies within the kilobytes that survive, the last does not
      assert.equal((await readImage(file, { slice: 0 })).data[5], data[5]);
      await rejection(readImage(file, { slice: depth - 1 }), file);
    } finally {
      cleanup();
    }
  });

  test('plain bytes named .nii.gz and gzipped bytes named .nii are both read', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      const bytes = encodeNifti({ width: 2, height: 1, depth: 1, data: new Int16Array([5, -5]), spacing: [1, 1, 1] });
      writeFileSync(join(dir, 'plain.nii.gz'), bytes);
      writeFileSync(join(dir, 'zipped.nii'), gzipSync(bytes));
      for (const name of ['plain.nii.gz', 'zipped.nii']) {
        assert.deepEqual(Array.from((await readImage(join(dir, name))).data), [5, -5]);
        assert.deepEqual((await readNiftiHeader(join(dir, name))).dims.slice(0, 3), [2, 2, 1]);
      }
    } finally {
      cleanup();
    }
  });
});

describe('NIfTI sizes the header does not back (decompression bombs, headers that lie)', () => {
  // A 32×24 uint8 image: the header promises 352 + 768 = 1120 bytes.
  const header = buildNifti({ version: 1, littleEndian: true, dims: [2, 32, 24, 1, 1, 1, 1, 1], datatype: 2, bitpix: 8, pixdim: [1, 1, 1, 1, 0, 0, 0, 0], data: new Uint8Array(0) });
  assert.equal(header.length, 352);

  async function inTemp<T>(name: string, bytes: Uint8Array, body: (file: string) => Promise<T>): Promise<T> {
    const { dir, cleanup } = makeTempDir();
    try {
      const file = join(dir, name);
      writeFileSync(file, bytes);
      return await body(file);
    } finally {
      cleanup();
    }
  }

  test('a gzip stream of 512 MiB of zeros after a 32×24 header fails at once, naming the promised size', async () => {
    // The trailer states the true size, and also the header's own size, as a 4 GiB stream's
    // size field (modulo 2^32) can: neither may be believed.
    for (const isize of [undefined, 1120]) {
      await inTemp('bomb.nii.gz', gzipBomb(header, 512, { isize }), async (file) => {
        const error = await rejection(readImage(file), file);
        assert.equal(error.code, 'io/unreadable');
        // Where inflating stopped is in the message (no time bound: those fail on a busy machine).
        assert.match(error.message, /the header promises 1120 bytes \(32×24×1 uint8 from offset 352\) but the file holds more \(inflating stopped after 1120 bytes\)/);
      });
    }
  });

  test('one slice of the bomb inflates only up to that slice', async () => {
    await inTemp('bomb.nii.gz', gzipBomb(header, 512), async (file) => {
      // Inflated whole, the file would take 512 MiB: the process's peak memory shows it whatever
      // the machine's load.
      const peakBefore = process.resourceUsage().maxRSS;
      const slice = await readImage(file, { slice: 0 });
      assert.ok(process.resourceUsage().maxRSS - peakBefore < 128 * 1024);
      assert.deepEqual([slice.width, slice.height, slice.depth], [32, 24, 1]);
      assert.ok(slice.data.every((v) => v === 0));
    });
  });

  test('a plain .nii with bytes beyond the promised data names both sizes', async () => {
    const bytes = buildNifti({ version: 1, littleEndian: true, dims: [2, 4, 1, 1, 1, 1, 1, 1], datatype: 4, bitpix: 16, pixdim: [1, 1, 1, 1, 0, 0, 0, 0], data: new Uint8Array(8 + 6) });
    await inTemp('long.nii', bytes, async (file) => {
      const error = await rejection(readImage(file), file);
      assert.equal(error.code, 'io/unreadable');
      // 352 + 4 × 2 = 360 promised, 352 + 14 = 366 present
      assert.match(error.message, /promises 360 bytes \(4×1×1 int16 from offset 352\) but the file holds 366\./);
    });
  });

  test('a header promising more than one read can hold is refused before anything is inflated', async () => {
    const huge = buildNifti({ version: 1, littleEndian: true, dims: [3, 30000, 30000, 30000, 1, 1, 1, 1], datatype: 4, bitpix: 16, pixdim: [1, 1, 1, 1, 0, 0, 0, 0], data: new Uint8Array(0) });
    for (const [name, bytes] of [['huge.nii', huge], ['huge.nii.gz', gzipBomb(huge, 64)]] as const) {
      await inTemp(name, bytes, async (file) => {
        const error = await rejection(readImage(file), file);
        assert.equal(error.code, 'io/unsupported');
        // 352 + 30000³ × 2 = 54,000,000,000,352
        assert.match(error.message, /the header promises 54000000000352 bytes \(30000×30000×30000 int16 from offset 352\), more than one read can hold/);
      });
    }
  });
});
