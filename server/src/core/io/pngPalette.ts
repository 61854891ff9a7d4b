import { unzlibSync } from 'fflate';

/**
 * Palette (indexed) PNG decoding to the stored indices. libvips always expands a palette to
 * colours, but a mask saved as a palette image (PIL mode "P") means its indices: index 2 may be
 * drawn green, whose red channel is 0, and reading colours would turn that label into background.
 */

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const COLOUR_TYPE_PALETTE = 3;

/** Adam7 passes: x start, y start, x step, y step. */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

export interface PaletteIndices {
  width: number;
  height: number;
  bitDepth: number;
  indices: Uint8Array;
}

/** Whether the bytes are a PNG whose IHDR says colour type 3, without decoding anything. */
export function isPalettePng(bytes: Uint8Array): boolean {
  return bytes.length >= 33 && SIGNATURE.every((b, i) => bytes[i] === b) && bytes[25] === COLOUR_TYPE_PALETTE;
}

/** Decodes a palette PNG to its indices; throws a plain Error on malformed data (callers word it). */
export function decodePaletteIndices(bytes: Uint8Array): PaletteIndices {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const idat: Uint8Array[] = [];
  let width = 0;
  let height = 0;
  let bitDepth = 0;
  let interlaced = false;
  for (let at = 8; at + 8 <= bytes.length; ) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    const data = bytes.subarray(at + 8, at + 8 + length);
    if (data.length !== length) throw new Error(`chunk ${type} is cut short`);
    if (type === 'IHDR') {
      width = view.getUint32(at + 8);
      height = view.getUint32(at + 12);
      bitDepth = data[8];
      interlaced = data[12] === 1;
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'IEND') {
      break;
    }
    at += 12 + length;
  }
  if (!width || !height || ![1, 2, 4, 8].includes(bitDepth)) throw new Error('missing or invalid IHDR');
  const total = idat.reduce((n, c) => n + c.length, 0);
  const joined = new Uint8Array(total);
  idat.reduce((offset, c) => (joined.set(c, offset), offset + c.length), 0);
  const filtered = unzlibSync(joined);
  const indices = new Uint8Array(width * height);
  const passes = interlaced ? ADAM7 : ([[0, 0, 1, 1]] as const);
  let offset = 0;
  for (const [x0, y0, dx, dy] of passes) {
    const passWidth = Math.ceil((width - x0) / dx);
    const passHeight = Math.ceil((height - y0) / dy);
    if (passWidth <= 0 || passHeight <= 0) continue;
    const rowBytes = Math.ceil((passWidth * bitDepth) / 8);
    const rows = unfilter(filtered, offset, rowBytes, passHeight);
    offset += passHeight * (rowBytes + 1);
    for (let py = 0; py < passHeight; py++) {
      const row = rows.subarray(py * rowBytes, (py + 1) * rowBytes);
      const y = y0 + py * dy;
      for (let px = 0; px < passWidth; px++) {
        indices[y * width + x0 + px * dx] = sampleAt(row, px, bitDepth);
      }
    }
  }
  return { width, height, bitDepth, indices };
}

function sampleAt(row: Uint8Array, x: number, bitDepth: number): number {
  if (bitDepth === 8) return row[x];
  const perByte = 8 / bitDepth;
  const byte = row[Math.floor(x / perByte)];
  const shift = 8 - bitDepth * ((x % perByte) + 1);
  return (byte >> shift) & ((1 << bitDepth) - 1);
}

/** Reverses PNG row filters; indexed pixels are at most one byte, so the filter unit is one byte. */
function unfilter(data: Uint8Array, offset: number, rowBytes: number, rowCount: number): Uint8Array {
  if (offset + rowCount * (rowBytes + 1) > data.length) throw new Error('image data is cut short');
  const out = new Uint8Array(rowBytes * rowCount);
  for (let y = 0; y < rowCount; y++) {
    const filter = data[offset + y * (rowBytes + 1)];
    const src = offset + y * (rowBytes + 1) + 1;
    const row = y * rowBytes;
    const prior = row - rowBytes;
    for (let x = 0; x < rowBytes; x++) {
      const left = x > 0 ? out[row + x - 1] : 0;
      const up = y > 0 ? out[prior + x] : 0;
      const upLeft = x > 0 && y > 0 ? out[prior + x - 1] : 0;
      const raw = data[src + x];
      let value: number;
      switch (filter) {
        case 0: value = raw; break;
        case 1: value = raw + left; break;
        case 2: value = raw + up; break;
        case 3: value = raw + ((left + up) >> 1); break;
        case 4: value = raw + paeth(left, up, upLeft); break;
        default: throw new Error(`unknown row filter ${filter}`);
      }
      out[row + x] = value & 0xff;
    }
  }
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}
