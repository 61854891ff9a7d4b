/**
 * A minimal PNG encoder (8/16-bit grey, grey+alpha, RGB, RGBA; palette at 1–8 bits; no
 * interlace, no row filter) over Node's native zlib. An evaluation writes many small PNGs per
 * image (masks, probabilities, error maps); going through sharp costs a thread hop and a
 * pipeline per file, which dominated the run time. Decoding common PNGs is in pngDecode.ts.
 */
import { endianness } from 'node:os';
import { promisify } from 'node:util';
import { constants, crc32, deflate, deflateSync, type ZlibOptions } from 'node:zlib';

const deflateAsync = promisify<Buffer, ZlibOptions, Buffer>(deflate);

/**
 * Below this many bytes deflate runs on the calling thread: an asynchronous deflate costs a
 * thread-pool round trip per 16 KiB output chunk plus stream bookkeeping, about a third more CPU
 * than the compression itself for a 256×256 16-bit map. Larger images go to the libuv pool (in one
 * output chunk) so they do not stall the event loop.
 */
const SYNC_DEFLATE_LIMIT = 1 << 20;

/**
 * Level 1 with run-length matching only: masks and error maps are long runs, and a 16-bit
 * probability map's low bytes are near-random, where LZ77's match search costs three times as
 * much CPU for the same size (0.84 against 2.44 ms at 256×256, bench/io-costs.ts).
 */
const DEFLATE_OPTIONS: ZlibOptions = { level: 1, strategy: constants.Z_RLE };

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const COLOUR_TYPE: Record<number, number> = { 1: 0, 2: 4, 3: 2, 4: 6 };
const COLOUR_TYPE_PALETTE = 3;

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

function header(width: number, height: number, bitDepth: number, colourType: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = bitDepth;
  ihdr[9] = colourType;
  return ihdr;
}

/** Rows of `stride` bytes, each behind a filter-type byte 0 (none). */
function filterNone(bytes: Uint8Array, stride: number, height: number): Buffer {
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) raw.set(bytes.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  return raw;
}

async function assemble(ihdr: Buffer, raw: Buffer, extra: Buffer[] = []): Promise<Buffer> {
  // One output chunk: a little more than the input covers even incompressible data.
  const options = { ...DEFLATE_OPTIONS, chunkSize: Math.max(64, raw.length + (raw.length >> 3) + 1024) };
  const idat = raw.length < SYNC_DEFLATE_LIMIT ? deflateSync(raw, options) : await deflateAsync(raw, options);
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), ...extra, chunk('IDAT', idat), chunk('IEND', new Uint8Array(0))]);
}

/**
 * Encodes interleaved samples (x fastest) as a PNG. 16-bit samples come as a Uint16Array and are
 * written big-endian as PNG requires.
 */
export async function encodePng(samples: Uint8Array | Uint16Array, width: number, height: number, channels: 1 | 2 | 3 | 4): Promise<Buffer> {
  const bitDepth = samples instanceof Uint16Array ? 16 : 8;
  const stride = width * channels * (bitDepth / 8);
  if (samples.length !== width * height * channels) throw new RangeError(`encodePng: ${samples.length} samples for ${width}×${height}×${channels}`);
  // Filter type 0 (none) on every row: masks and error maps are long runs that deflate finds
  // anyway, and a per-byte filter pass in JavaScript cost more than it saved.
  const bytes = bitDepth === 8 ? (samples as Uint8Array) : bigEndian(samples as Uint16Array);
  return assemble(header(width, height, bitDepth, COLOUR_TYPE[channels]), filterNone(bytes, stride, height));
}

/**
 * Encodes palette indices (one byte each, x fastest) as an indexed PNG at the fewest bits per
 * pixel the palette needs (1, 2, 4 or 8), with a tRNS chunk for the palette's alpha values.
 */
export async function encodePalettePng(indices: Uint8Array, width: number, height: number, palette: readonly (readonly [number, number, number, number])[]): Promise<Buffer> {
  if (indices.length !== width * height) throw new RangeError(`encodePalettePng: ${indices.length} indices for ${width}×${height}`);
  if (palette.length < 1 || palette.length > 256) throw new RangeError(`encodePalettePng: a palette has 1 to 256 entries, not ${palette.length}`);
  for (let i = 0; i < indices.length; i++) {
    if (indices[i] >= palette.length) throw new RangeError(`encodePalettePng: index ${indices[i]} at pixel ${i} is outside the ${palette.length}-colour palette`);
  }
  const bitDepth = palette.length <= 2 ? 1 : palette.length <= 4 ? 2 : palette.length <= 16 ? 4 : 8;
  const perByte = 8 / bitDepth;
  const stride = Math.ceil(width / perByte);
  const raw = Buffer.alloc((stride + 1) * height);
  const whole = width - (width % perByte); // pixels per row that fill whole bytes
  for (let y = 0; y < height; y++) {
    const src = y * width;
    let at = y * (stride + 1) + 1;
    if (bitDepth === 8) {
      raw.set(indices.subarray(src, src + width), at);
      continue;
    }
    for (let x = 0; x < whole; x += perByte, at++) {
      let byte = 0;
      for (let k = 0; k < perByte; k++) byte = (byte << bitDepth) | indices[src + x + k];
      raw[at] = byte;
    }
    if (whole < width) {
      let byte = 0;
      for (let k = 0; k < perByte; k++) byte = (byte << bitDepth) | (whole + k < width ? indices[src + whole + k] : 0);
      raw[at] = byte;
    }
  }
  const plte = Buffer.from(palette.flatMap(([r, g, b]) => [r, g, b]));
  const alphas = palette.map(([, , , a]) => a);
  let last = alphas.length;
  while (last > 0 && alphas[last - 1] === 255) last--; // trailing opaque entries may be left out
  const extra = [chunk('PLTE', plte), ...(last > 0 ? [chunk('tRNS', Uint8Array.from(alphas.slice(0, last)))] : [])];
  return assemble(header(width, height, bitDepth, COLOUR_TYPE_PALETTE), raw, extra);
}

const LITTLE_ENDIAN = endianness() === 'LE';

/** 16-bit samples as big-endian bytes (a native byte swap of a copy on little-endian machines). */
function bigEndian(samples: Uint16Array): Uint8Array {
  const copy = Buffer.from(samples.buffer.slice(samples.byteOffset, samples.byteOffset + samples.byteLength));
  return LITTLE_ENDIAN ? copy.swap16() : copy;
}
