/**
 * The parts of PNG decoding shared by the plain and the palette decoders: the chunk walk (with
 * CRC checks of the critical chunks, as libpng does), inflating the image data with Node's native
 * zlib, and reversing the row filters.
 */
import { crc32, inflateSync } from 'node:zlib';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export const PNG_COLOUR = { GREY: 0, RGB: 2, PALETTE: 3, GREY_ALPHA: 4, RGBA: 6 } as const;

/** Samples per pixel by colour type. */
export const PNG_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

export interface PngLayout {
  width: number;
  height: number;
  bitDepth: number;
  colourType: number;
  interlaced: boolean;
  /** Whether a tRNS chunk is present (a transparent colour or palette alphas). */
  transparency: boolean;
  /** The inflated, still filtered image data. */
  filtered: Uint8Array;
}

/** Adam7 passes: x start, y start, x step, y step. */
export const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

/** sharp's default `limitInputPixels` (0x3FFF × 0x3FFF): no decoder here reads larger images than sharp would. */
export const MAX_PIXELS = 0x3fff * 0x3fff;

/** Bytes of the inflated image data IHDR implies: per (pass and) row, one filter byte and the packed samples. */
export function filteredSize(layout: { width: number; height: number; bitDepth: number; colourType: number; interlaced: boolean }): number {
  const bitsPerPixel = PNG_CHANNELS[layout.colourType] * layout.bitDepth;
  const passes = layout.interlaced ? ADAM7 : ([[0, 0, 1, 1]] as const);
  let total = 0;
  for (const [x0, y0, dx, dy] of passes) {
    const passWidth = Math.ceil((layout.width - x0) / dx);
    const passHeight = Math.ceil((layout.height - y0) / dy);
    if (passWidth > 0 && passHeight > 0) total += (Math.ceil((passWidth * bitsPerPixel) / 8) + 1) * passHeight;
  }
  return total;
}

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 33 && SIGNATURE.every((b, i) => bytes[i] === b);
}

/** Colour type from IHDR without decoding anything (undefined when not a PNG). */
export function pngColourType(bytes: Uint8Array): number | undefined {
  return isPng(bytes) ? bytes[25] : undefined;
}

/** Walks the chunks and inflates IDAT; throws a plain Error on malformed data (callers word it). */
export function readPngLayout(bytes: Uint8Array): PngLayout {
  if (!isPng(bytes)) throw new Error('not a PNG signature');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const idat: Uint8Array[] = [];
  let layout: Omit<PngLayout, 'filtered' | 'transparency'> | undefined;
  let transparency = false;
  let ended = false;
  for (let at = 8; at + 8 <= bytes.length; ) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]);
    if (at + 12 + length > bytes.length) throw new Error(`chunk ${type} is cut short`);
    const critical = (bytes[at + 4] & 0x20) === 0;
    if (critical && crc32(bytes.subarray(at + 4, at + 8 + length)) !== view.getUint32(at + 8 + length)) throw new Error(`CRC error in chunk ${type}`);
    const data = bytes.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      layout = { width: view.getUint32(at + 8), height: view.getUint32(at + 12), bitDepth: data[8], colourType: data[9], interlaced: data[12] === 1 };
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'tRNS') {
      transparency = true;
    } else if (type === 'IEND') {
      ended = true;
      break;
    }
    at += 12 + length;
  }
  if (!layout || !layout.width || !layout.height || PNG_CHANNELS[layout.colourType] === undefined) throw new Error('missing or invalid IHDR');
  if (idat.length === 0) throw new Error('no image data (IDAT)');
  if (!ended) throw new Error('the file is cut short (no IEND)');
  const joined = idat.length === 1 ? idat[0] : Buffer.concat(idat);
  // sharp refuses larger images by default; so do the decoders here (palette PNGs reach no sharp).
  if (layout.width * layout.height > MAX_PIXELS) throw new Error(`IHDR's ${layout.width}×${layout.height} pixels are more than the ${MAX_PIXELS} an image may have`);
  // IHDR fixes the inflated size (rows plus filter bytes): inflating stops there, so a small file
  // whose data inflates to gigabytes (a decompression bomb) costs nothing. One output chunk of
  // that size instead of 16 KiB pieces.
  const expected = filteredSize(layout);
  let filtered: Uint8Array;
  try {
    filtered = inflateSync(joined, { chunkSize: Math.max(64, Math.min(expected + 64, 1 << 30)), maxOutputLength: Math.max(1, expected) });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new Error(`the image data inflates to more than the ${expected} bytes IHDR's ${layout.width}×${layout.height} pixels take (a decompression bomb, or a damaged header)`);
    }
    throw new Error(`damaged image data: ${(error as Error).message}`);
  }
  return { ...layout, transparency, filtered };
}

/**
 * Reverses the PNG row filters of `rowCount` rows of `rowBytes` bytes starting at `offset`;
 * `unit` is the filter unit (bytes per complete pixel, at least 1).
 */
export function unfilterRows(data: Uint8Array, offset: number, rowBytes: number, rowCount: number, unit: number): Uint8Array {
  if (offset + rowCount * (rowBytes + 1) > data.length) throw new Error('image data is cut short');
  const out = new Uint8Array(rowBytes * rowCount);
  for (let y = 0; y < rowCount; y++) {
    const filter = data[offset + y * (rowBytes + 1)];
    const src = offset + y * (rowBytes + 1) + 1;
    const row = y * rowBytes;
    const prior = row - rowBytes;
    const first = y > 0;
    switch (filter) {
      case 0:
        out.set(data.subarray(src, src + rowBytes), row);
        break;
      case 1:
        for (let x = 0; x < rowBytes; x++) out[row + x] = data[src + x] + (x >= unit ? out[row + x - unit] : 0);
        break;
      case 2:
        if (first) for (let x = 0; x < rowBytes; x++) out[row + x] = data[src + x] + out[prior + x];
        else out.set(data.subarray(src, src + rowBytes), row);
        break;
      case 3:
        for (let x = 0; x < rowBytes; x++) {
          const left = x >= unit ? out[row + x - unit] : 0;
          const up = first ? out[prior + x] : 0;
          out[row + x] = data[src + x] + ((left + up) >> 1);
        }
        break;
      case 4:
        for (let x = 0; x < rowBytes; x++) {
          const a = x >= unit ? out[row + x - unit] : 0;
          const b = first ? out[prior + x] : 0;
          const c = first && x >= unit ? out[prior + x - unit] : 0;
          const p = a + b - c;
          const pa = p > a ? p - a : a - p;
          const pb = p > b ? p - b : b - p;
          const pc = p > c ? p - c : c - p;
          out[row + x] = data[src + x] + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
        }
        break;
      default:
        throw new Error(`unknown row filter ${filter} in row ${y}`);
    }
  }
  return out;
}
