/**
 * A minimal PNG encoder (8/16-bit grey, RGB, RGBA; no interlace, no filter) over Node's
 * native zlib. An evaluation writes about twenty small PNGs per image (masks, probabilities,
 * error maps); going through sharp costs a thread hop and a pipeline per file, which dominated
 * the run time. Decoding stays with sharp.
 */
import { promisify } from 'node:util';
import { crc32, deflate, type ZlibOptions } from 'node:zlib';

// Deflate runs on the libuv pool, so compression overlaps decoding and inference.
const deflateAsync = promisify<Buffer, ZlibOptions, Buffer>(deflate);

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const COLOUR_TYPE: Record<number, number> = { 1: 0, 2: 4, 3: 2, 4: 6 };

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/**
 * Encodes interleaved samples (x fastest) as a PNG. 16-bit samples come as a Uint16Array and are
 * written big-endian as PNG requires.
 */
export async function encodePng(samples: Uint8Array | Uint16Array, width: number, height: number, channels: 1 | 2 | 3 | 4, level = 1): Promise<Buffer> {
  const bitDepth = samples instanceof Uint16Array ? 16 : 8;
  const bytesPerPixel = channels * (bitDepth / 8);
  const stride = width * bytesPerPixel;
  if (samples.length !== width * height * channels) throw new RangeError(`encodePng: ${samples.length} samples for ${width}×${height}×${channels}`);
  const raw = Buffer.alloc((stride + 1) * height);
  // Filter type 0 (none) on every row: masks and error maps are long runs that deflate finds
  // anyway, and a per-byte filter pass in JavaScript cost more than it saved.
  const bytes = bitDepth === 8 ? (samples as Uint8Array) : bigEndian(samples as Uint16Array);
  for (let y = 0; y < height; y++) raw.set(bytes.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = bitDepth;
  header[9] = COLOUR_TYPE[channels];
  return Buffer.concat([SIGNATURE, chunk('IHDR', header), chunk('IDAT', await deflateAsync(raw, { level })), chunk('IEND', Buffer.alloc(0))]);
}

function bigEndian(samples: Uint16Array): Uint8Array {
  const out = new Uint8Array(samples.length * 2);
  for (let i = 0; i < samples.length; i++) {
    out[2 * i] = samples[i] >>> 8;
    out[2 * i + 1] = samples[i] & 0xff;
  }
  return out;
}
