/**
 * A fast path for the PNGs an evaluation reads most: 8/16-bit grey, grey+alpha, RGB and RGBA,
 * not interlaced, without a transparent colour. Native inflate and one unfilter pass cost a
 * fraction of a sharp pipeline for small images (a 256×256 mask: 0.18 ms against 0.94 ms of CPU,
 * bench/io-costs.ts). Everything else (palette colours, 1/2/4-bit grey, interlacing, tRNS, other formats)
 * returns undefined and is read by sharp, so the results are the same either way.
 */
import { endianness } from 'node:os';
import { MAX_PIXELS, PNG_CHANNELS, PNG_COLOUR, readPngLayout, unfilterRows, pngColourType } from './pngChunks';

const LITTLE_ENDIAN = endianness() === 'LE';

export interface DecodedPng {
  width: number;
  height: number;
  channels: number;
  bitDepth: 8 | 16;
  /** Interleaved samples, x fastest; 16-bit samples in machine order. */
  data: Uint8Array | Uint16Array;
}

/** Whether decodePlainPng can take these bytes, judged from IHDR alone. */
export function isPlainPngCandidate(bytes: Uint8Array): boolean {
  const colourType = pngColourType(bytes);
  if (colourType === undefined || colourType === PNG_COLOUR.PALETTE) return false;
  const bitDepth = bytes[24];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Larger than libvips' default pixel limit: sharp decides (and refuses a decompression bomb).
  const pixels = view.getUint32(16) * view.getUint32(20);
  return (bitDepth === 8 || bitDepth === 16) && bytes[28] === 0 && pixels <= MAX_PIXELS;
}

/** Decodes a plain PNG, or returns undefined when it is not one (see the module comment). Throws on damaged data. */
export function decodePlainPng(bytes: Uint8Array): DecodedPng | undefined {
  if (!isPlainPngCandidate(bytes)) return undefined;
  const png = readPngLayout(bytes);
  if (png.transparency || png.interlaced) return undefined;
  const channels = PNG_CHANNELS[png.colourType];
  const bytesPerSample = png.bitDepth / 8;
  const unit = channels * bytesPerSample;
  const rows = unfilterRows(png.filtered, 0, png.width * unit, png.height, unit);
  if (png.bitDepth === 8) return { width: png.width, height: png.height, channels, bitDepth: 8, data: rows };
  if (LITTLE_ENDIAN) Buffer.from(rows.buffer, rows.byteOffset, rows.byteLength).swap16();
  const samples = new Uint16Array(rows.buffer, rows.byteOffset, rows.length / 2);
  return { width: png.width, height: png.height, channels, bitDepth: 16, data: samples };
}
