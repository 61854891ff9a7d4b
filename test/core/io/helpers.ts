// Test-only encoders written from the PNG and NIfTI specifications, independent of the code under
// test (which decodes with sharp and its own NIfTI parser), so round trips cannot share a bug.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants as zlibConstants, crc32 as zlibCrc32, deflateRawSync, deflateSync } from 'node:zlib';

export function makeTempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'medseg-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

export interface PngSpec {
  width: number;
  height: number;
  /** 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA */
  colourType: 0 | 2 | 3 | 4 | 6;
  bitDepth: 1 | 2 | 4 | 8 | 16;
  /** Samples, x fastest, channels interleaved (palette: indices). */
  samples: ArrayLike<number>;
  palette?: [number, number, number][];
  /** Filter type per row (0–4), cycled; exercises the decoder's unfiltering. */
  filters?: number[];
}

const CHANNELS = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as const;

export function buildPng(spec: PngSpec): Uint8Array {
  const channels = CHANNELS[spec.colourType];
  const bitsPerPixel = channels * spec.bitDepth;
  const rowBytes = Math.ceil((spec.width * bitsPerPixel) / 8);
  const bpp = Math.max(1, bitsPerPixel / 8);
  const raw = new Uint8Array(rowBytes * spec.height);
  for (let y = 0; y < spec.height; y++) {
    for (let x = 0; x < spec.width * channels; x++) {
      const v = spec.samples[y * spec.width * channels + x];
      const at = y * rowBytes;
      if (spec.bitDepth === 16) {
        raw[at + 2 * x] = v >> 8; // PNG stores 16-bit samples big-endian
        raw[at + 2 * x + 1] = v & 0xff;
      } else if (spec.bitDepth === 8) {
        raw[at + x] = v;
      } else {
        const perByte = 8 / spec.bitDepth;
        raw[at + Math.floor(x / perByte)] |= v << (8 - spec.bitDepth * ((x % perByte) + 1));
      }
    }
  }
  const filtered = new Uint8Array((rowBytes + 1) * spec.height);
  const filters = spec.filters ?? [0];
  for (let y = 0; y < spec.height; y++) {
    const f = filters[y % filters.length];
    filtered[y * (rowBytes + 1)] = f;
    for (let i = 0; i < rowBytes; i++) {
      const cur = raw[y * rowBytes + i];
      const a = i >= bpp ? raw[y * rowBytes + i - bpp] : 0;
      const b = y > 0 ? raw[(y - 1) * rowBytes + i] : 0;
      const c = i >= bpp && y > 0 ? raw[(y - 1) * rowBytes + i - bpp] : 0;
      const predictor = [0, a, b, (a + b) >> 1, paeth(a, b, c)][f];
      filtered[y * (rowBytes + 1) + 1 + i] = (cur - predictor) & 0xff;
    }
  }
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, spec.width);
  view.setUint32(4, spec.height);
  ihdr.set([spec.bitDepth, spec.colourType, 0, 0, 0], 8);
  const parts = [new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr)];
  if (spec.palette) parts.push(chunk('PLTE', new Uint8Array(spec.palette.flat())));
  parts.push(chunk('IDAT', deflateSync(filtered)), chunk('IEND', new Uint8Array(0)));
  return Buffer.concat(parts);
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

export interface NiftiSpec {
  version: 1 | 2;
  littleEndian: boolean;
  dims: number[]; // dim[0..7]
  datatype: number;
  bitpix: number;
  pixdim: number[]; // 8 values
  voxOffset?: number;
  sclSlope?: number;
  sclInter?: number;
  qformCode?: number;
  sformCode?: number;
  quatern?: number[];
  qoffset?: number[];
  srow?: number[]; // 12 values
  xyztUnits?: number;
  /** Voxel bytes already in the file's byte order. */
  data: Uint8Array;
}

/** A NIfTI file laid out field by field from nifti1.h / nifti2.h. */
export function buildNifti(spec: NiftiSpec): Uint8Array {
  const v1 = spec.version === 1;
  const headerSize = v1 ? 348 : 540;
  const voxOffset = spec.voxOffset ?? headerSize + 4;
  const out = new Uint8Array(voxOffset + spec.data.length);
  const view = new DataView(out.buffer);
  const le = spec.littleEndian;
  const real = (o: number, x: number) => (v1 ? view.setFloat32(o, x, le) : view.setFloat64(o, x, le));
  const text = (o: number, s: string) => [...s].forEach((_, i) => (out[o + i] = s.charCodeAt(i)));
  view.setInt32(0, headerSize, le);
  if (v1) {
    spec.dims.forEach((d, i) => view.setInt16(40 + 2 * i, d, le));
    view.setInt16(70, spec.datatype, le);
    view.setInt16(72, spec.bitpix, le);
    spec.pixdim.forEach((d, i) => real(76 + 4 * i, d));
    real(108, voxOffset);
    real(112, spec.sclSlope ?? 0);
    real(116, spec.sclInter ?? 0);
    out[123] = spec.xyztUnits ?? 2;
    view.setInt16(252, spec.qformCode ?? 0, le);
    view.setInt16(254, spec.sformCode ?? 0, le);
    (spec.quatern ?? [0, 0, 0]).forEach((q, i) => real(256 + 4 * i, q));
    (spec.qoffset ?? [0, 0, 0]).forEach((q, i) => real(268 + 4 * i, q));
    (spec.srow ?? new Array(12).fill(0)).forEach((s, i) => real(280 + 4 * i, s));
    text(344, 'n+1');
  } else {
    out.set([0x6e, 0x2b, 0x32, 0x00, 0x0d, 0x0a, 0x1a, 0x0a], 4); // "n+2\0\r\n\032\n"
    view.setInt16(12, spec.datatype, le);
    view.setInt16(14, spec.bitpix, le);
    spec.dims.forEach((d, i) => view.setBigInt64(16 + 8 * i, BigInt(d), le));
    spec.pixdim.forEach((d, i) => real(104 + 8 * i, d));
    view.setBigInt64(168, BigInt(voxOffset), le);
    real(176, spec.sclSlope ?? 0);
    real(184, spec.sclInter ?? 0);
    view.setInt32(344, spec.qformCode ?? 0, le);
    view.setInt32(348, spec.sformCode ?? 0, le);
    (spec.quatern ?? [0, 0, 0]).forEach((q, i) => real(352 + 8 * i, q));
    (spec.qoffset ?? [0, 0, 0]).forEach((q, i) => real(376 + 8 * i, q));
    (spec.srow ?? new Array(12).fill(0)).forEach((s, i) => real(400 + 8 * i, s));
    view.setInt32(500, spec.xyztUnits ?? 2, le);
  }
  out.set(spec.data, voxOffset);
  return out;
}

/** Sample bytes in a chosen byte order, written one value at a time through DataView. */
export function sampleBytes(values: number[], type: 'int16' | 'uint16' | 'int32' | 'float32' | 'float64' | 'uint8' | 'int8' | 'uint32', littleEndian: boolean): Uint8Array {
  const size = { uint8: 1, int8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, float32: 4, float64: 8 }[type];
  const out = new Uint8Array(values.length * size);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => {
    const o = i * size;
    if (type === 'uint8') view.setUint8(o, v);
    else if (type === 'int8') view.setInt8(o, v);
    else if (type === 'int16') view.setInt16(o, v, littleEndian);
    else if (type === 'uint16') view.setUint16(o, v, littleEndian);
    else if (type === 'int32') view.setInt32(o, v, littleEndian);
    else if (type === 'uint32') view.setUint32(o, v, littleEndian);
    else if (type === 'float32') view.setFloat32(o, v, littleEndian);
    else view.setFloat64(o, v, littleEndian);
  });
  return out;
}

/**
 * A raw deflate stream of `prefix` followed by `zeroMiB` MiB of zeros (the body of a decompression
 * bomb), built without compressing the zeros more than once: one full-flushed deflate block of
 * 1 MiB of zeros (~1 kB, byte-aligned, no back-references across it) is repeated, so 512 MiB cost
 * ~0.5 MB and well under a second.
 */
function deflateBombBody(prefix: Uint8Array, zeroMiB: number): Buffer[] {
  const flush = { finishFlush: zlibConstants.Z_FULL_FLUSH };
  const block = deflateRawSync(Buffer.alloc(1 << 20), { level: 9, ...flush });
  return [deflateRawSync(prefix, flush), ...new Array<Buffer>(zeroMiB).fill(block), deflateRawSync(Buffer.alloc(0))];
}

/** A valid gzip file of `prefix` then `zeroMiB` MiB of zeros; `isize` replaces the trailer's size field (a hostile file can state any). */
export function gzipBomb(prefix: Uint8Array, zeroMiB: number, options: { isize?: number } = {}): Buffer {
  const zeros = Buffer.alloc(1 << 20);
  let crc = zlibCrc32(prefix);
  for (let i = 0; i < zeroMiB; i++) crc = zlibCrc32(zeros, crc);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(options.isize ?? (prefix.length + zeroMiB * (1 << 20)) % 2 ** 32, 4);
  const header = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
  return Buffer.concat([header, ...deflateBombBody(prefix, zeroMiB), trailer]);
}

/** A valid zlib stream (RFC 1950, as in PNG's IDAT) of `prefix` then `zeroMiB` MiB of zeros. */
export function zlibBomb(prefix: Uint8Array, zeroMiB: number): Buffer {
  // Adler-32: zeros leave a unchanged and add a to b once per byte.
  let a = 1;
  let b = 0;
  for (const byte of prefix) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  b = (b + ((zeroMiB * (1 << 20)) % 65521) * a) % 65521;
  const trailer = Buffer.alloc(4);
  trailer.writeUInt32BE(((b << 16) | a) >>> 0);
  return Buffer.concat([Buffer.from([0x78, 0xda]), ...deflateBombBody(prefix, zeroMiB), trailer]);
}

/** A PNG of the given IHDR fields whose IDAT holds `idat` as it is (e.g. a zlib bomb). */
export function buildPngWithIdat(spec: { width: number; height: number; colourType: PngSpec['colourType']; bitDepth: PngSpec['bitDepth']; interlaced?: boolean; palette?: [number, number, number][] }, idat: Uint8Array): Uint8Array {
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, spec.width);
  view.setUint32(4, spec.height);
  ihdr.set([spec.bitDepth, spec.colourType, 0, 0, spec.interlaced ? 1 : 0], 8);
  const parts = [new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr)];
  if (spec.palette) parts.push(chunk('PLTE', new Uint8Array(spec.palette.flat())));
  parts.push(chunk('IDAT', idat), chunk('IEND', new Uint8Array(0)));
  return Buffer.concat(parts);
}
