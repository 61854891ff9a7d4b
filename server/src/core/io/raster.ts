import { availableParallelism } from 'node:os';
import sharp, { type Metadata, type OutputInfo } from 'sharp';
import { readFileBytes } from './fileBytes';
import { fileSystemError, sliceOutOfRange, unreadable, unsupportedContent } from './errors';
import { decodePlainPng } from './pngDecode';
import { decodePaletteIndices, isPalettePng } from './pngPalette';
import type { ImageVolume, PixelArray } from './types';

let sharpConfigured = false;

/**
 * sharp decodes on one thread here unless told otherwise (see notes), and its operation cache
 * only holds memory when every image is decoded once.
 */
export function configureSharp(): void {
  if (sharpConfigured) return;
  sharpConfigured = true;
  sharp.concurrency(availableParallelism());
  sharp.cache(false);
}

/**
 * Decoder options: keep samples as stored (no ICC conversion, no EXIF rotation), and reject
 * truncated or broken pixel data while tolerating warnings that other readers also ignore.
 */
const INPUT_OPTIONS = { failOn: 'error', ignoreIcc: true, autoOrient: false } as const;

const FORMAT_NAMES: Record<string, string> = { png: 'PNG', jpeg: 'JPEG', jpg: 'JPEG', tiff: 'TIFF', tif: 'TIFF' };

export interface RasterReadOptions {
  slice?: number;
  /** Return a palette PNG's indices (one channel) instead of its colours: what a label map means. */
  paletteIndices?: boolean;
}

/** Reads a PNG, JPEG or TIFF with sharp: 8-bit → Uint8Array, 16-bit → Uint16Array, float TIFF → Float32Array. */
export async function readRaster(path: string, options: RasterReadOptions = {}): Promise<ImageVolume> {
  if (options.slice !== undefined && options.slice !== 0) throw sliceOutOfRange(path, options.slice, 1);
  let bytes: Buffer;
  try {
    bytes = await readFileBytes(path);
  } catch (error) {
    throw fileSystemError(path, error);
  }
  if (options.paletteIndices && isPalettePng(bytes)) return readPaletteIndices(path, bytes);
  return readPlainPng(path, bytes) ?? decodeWithSharp(path, bytes);
}

/** The libvips path for every raster (exported so tests can hold the PNG fast path to it). */
export async function decodeWithSharp(path: string, bytes: Buffer): Promise<ImageVolume> {
  configureSharp();
  const expected = FORMAT_NAMES[path.toLowerCase().replace(/^.*\./, '')] ?? 'image';
  let meta: Metadata;
  try {
    meta = await sharp(bytes, INPUT_OPTIONS).metadata();
  } catch (error) {
    throw unreadable(path, expected, error);
  }
  const decoded = await decodePixels(path, bytes, meta, expected);
  return {
    ...decoded,
    format: meta.format === 'png' || meta.format === 'jpeg' || meta.format === 'tiff' ? meta.format : 'other',
    ...rasterSpacing(meta),
  };
}

type Decoded = Pick<ImageVolume, 'width' | 'height' | 'depth' | 'channels' | 'data' | 'bitDepth'>;

async function decodePixels(path: string, bytes: Buffer, meta: Metadata, expected: string): Promise<Decoded> {
  const channels = meta.channels ?? 0;
  const grey = channels <= 2 && meta.space !== 'cmyk';
  let pipeline = sharp(bytes, INPUT_OPTIONS);
  let bitDepth: number;
  if (meta.depth === 'uchar') {
    bitDepth = 8;
    // 'b-w' keeps one channel but drops alpha; grey+alpha goes through sRGB (g, g, g, a) and is compacted below.
    pipeline = (channels === 1 ? pipeline.toColourspace('b-w') : pipeline).raw();
  } else if (meta.depth === 'ushort') {
    bitDepth = 16;
    pipeline = pipeline.toColourspace(grey ? 'grey16' : 'rgb16').raw({ depth: 'ushort' });
  } else if (meta.depth === 'float' && channels === 1) {
    bitDepth = 32;
    pipeline = pipeline.toColourspace('b-w').raw({ depth: 'float' });
  } else {
    throw unsupportedContent(path, `${channels}-channel ${meta.depth ?? 'unknown'} samples are not read`, 'save it as 8- or 16-bit integer or 1-channel float');
  }
  let result: { data: Buffer; info: OutputInfo };
  try {
    result = await pipeline.toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw unreadable(path, expected, error);
  }
  const { data, info } = result;
  let samples: PixelArray = viewSamples(data, bitDepth);
  let outChannels: number = info.channels;
  if (bitDepth === 8 && channels === 2 && info.channels === 4) {
    samples = keepChannels(samples as Uint8Array, 4, [0, 3]);
    outChannels = 2;
  }
  return { width: info.width, height: info.height, depth: 1, channels: outChannels, data: samples, bitDepth };
}

function viewSamples(data: Buffer, bitDepth: number): PixelArray {
  // Copy into a fresh buffer: sharp's Buffer may sit at an offset that is not a multiple of the sample size.
  const copy = new Uint8Array(data.length);
  copy.set(data);
  if (bitDepth === 16) return new Uint16Array(copy.buffer);
  if (bitDepth === 32) return new Float32Array(copy.buffer);
  return copy;
}

function keepChannels(data: Uint8Array, stride: number, keep: readonly number[]): Uint8Array {
  const pixels = data.length / stride;
  const out = new Uint8Array(pixels * keep.length);
  for (let p = 0; p < pixels; p++) {
    for (let k = 0; k < keep.length; k++) out[p * keep.length + k] = data[p * stride + keep[k]];
  }
  return out;
}

/** The native fast path for common PNGs (pngDecode.ts); undefined hands the file to sharp. */
function readPlainPng(path: string, bytes: Buffer): ImageVolume | undefined {
  let png;
  try {
    png = decodePlainPng(bytes);
  } catch (error) {
    throw unreadable(path, 'PNG', error);
  }
  if (!png) return undefined;
  return { width: png.width, height: png.height, depth: 1, channels: png.channels, data: png.data, bitDepth: png.bitDepth, format: 'png', spacing: [1, 1, 1], spacingKnown: false };
}

function readPaletteIndices(path: string, bytes: Buffer): ImageVolume {
  try {
    const { width, height, indices } = decodePaletteIndices(bytes);
    return { width, height, depth: 1, channels: 1, data: indices, bitDepth: 8, format: 'png', spacing: [1, 1, 1], spacingKnown: false };
  } catch (error) {
    throw unreadable(path, 'PNG', error);
  }
}

/**
 * Only a TIFF resolution in centimetres is taken as physical pixel size (microscopy writers use it);
 * PNG and inch resolutions are print settings (72, 96, 300 dpi), not measurements.
 */
function rasterSpacing(meta: Metadata): { spacing: [number, number, number]; spacingKnown: boolean } {
  if (meta.format === 'tiff' && meta.resolutionUnit === 'cm' && meta.density && meta.density > 0) {
    const mm = 25.4 / meta.density;
    return { spacing: [mm, mm, 1], spacingKnown: true };
  }
  return { spacing: [1, 1, 1], spacingKnown: false };
}
