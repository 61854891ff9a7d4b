/**
 * Palette (indexed) PNG decoding to the stored indices. libvips always expands a palette to
 * colours, but a mask saved as a palette image (PIL mode "P") means its indices: index 2 may be
 * drawn green, whose red channel is 0, and reading colours would turn that label into background.
 */
import { ADAM7, PNG_COLOUR, pngColourType, readPngLayout, unfilterRows } from './pngChunks';

export interface PaletteIndices {
  width: number;
  height: number;
  bitDepth: number;
  indices: Uint8Array;
}

/** Whether the bytes are a PNG whose IHDR says colour type 3, without decoding anything. */
export function isPalettePng(bytes: Uint8Array): boolean {
  return pngColourType(bytes) === PNG_COLOUR.PALETTE;
}

/** Decodes a palette PNG to its indices; throws a plain Error on malformed data (callers word it). */
export function decodePaletteIndices(bytes: Uint8Array): PaletteIndices {
  const { width, height, bitDepth, interlaced, filtered } = readPngLayout(bytes);
  if (![1, 2, 4, 8].includes(bitDepth)) throw new Error('missing or invalid IHDR');
  const indices = new Uint8Array(width * height);
  const passes = interlaced ? ADAM7 : ([[0, 0, 1, 1]] as const);
  let offset = 0;
  for (const [x0, y0, dx, dy] of passes) {
    const passWidth = Math.ceil((width - x0) / dx);
    const passHeight = Math.ceil((height - y0) / dy);
    if (passWidth <= 0 || passHeight <= 0) continue;
    const rowBytes = Math.ceil((passWidth * bitDepth) / 8);
    // Indexed pixels are at most one byte, so the filter unit is one byte.
    const rows = unfilterRows(filtered, offset, rowBytes, passHeight, 1);
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
