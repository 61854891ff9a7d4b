/**
 * An image's width, height and depth from its header, as `readImage` would decode them: what the
 * evaluation needs to check a mask against its image when the prediction comes from the cache and
 * the image is never decoded. PNG from IHDR, JPEG from its frame header, NIfTI from its (partly
 * inflated) header, other rasters from libvips' header read (a fifth of a millisecond a file, which
 * the common formats skip).
 */
import sharp from 'sharp';
import { fileSystemError, sliceOutOfRange, unreadable, unsupportedExtension } from './errors';
import { imageExtension } from './extensions';
import { readFileBytes } from './fileBytes';
import { readNiftiHeader } from './niftiHeader';
import { isPng } from './pngChunks';

export interface ImageExtent {
  width: number;
  height: number;
  depth: number;
}

export interface ImageSizeOptions {
  /** One axial slice (depth 1), as `readImage`'s option. */
  slice?: number;
  /** The file's bytes when the caller has them already (rasters only; NIfTI reads its header). */
  bytes?: Uint8Array;
}

export async function readImageSize(path: string, options: ImageSizeOptions = {}): Promise<ImageExtent> {
  const ext = imageExtension(path);
  if (ext === undefined) throw unsupportedExtension(path);
  if (ext === '.nii' || ext === '.nii.gz') {
    const { dims } = await readNiftiHeader(path);
    const [ndim, width, height, depth] = dims;
    const volumeDepth = ndim >= 3 ? depth : 1;
    if (options.slice === undefined) return { width, height: ndim >= 2 ? height : 1, depth: volumeDepth };
    if (!Number.isInteger(options.slice) || options.slice < 0 || options.slice >= volumeDepth) throw sliceOutOfRange(path, options.slice, volumeDepth);
    return { width, height: ndim >= 2 ? height : 1, depth: 1 };
  }
  if (options.slice !== undefined && options.slice !== 0) throw sliceOutOfRange(path, options.slice, 1);
  let bytes = options.bytes;
  if (!bytes) {
    try {
      bytes = await readFileBytes(path);
    } catch (error) {
      throw fileSystemError(path, error);
    }
  }
  // IHDR is the first chunk of every PNG: width and height are big-endian at bytes 16 and 20.
  if (isPng(bytes) && String.fromCharCode(bytes[12], bytes[13], bytes[14], bytes[15]) === 'IHDR') {
    const view = new DataView(bytes.buffer, bytes.byteOffset, 24);
    return { width: view.getUint32(16), height: view.getUint32(20), depth: 1 };
  }
  const jpeg = jpegSize(bytes);
  if (jpeg) return jpeg;
  try {
    const meta = await sharp(bytes).metadata();
    if (!meta.width || !meta.height) throw new Error('no width or height in the header');
    return { width: meta.width, height: meta.height, depth: 1 };
  } catch (error) {
    throw unreadable(path, 'image', error);
  }
}

/**
 * Width and height from a JPEG's start-of-frame segment (SOF0–SOF15 but DHT, JPG and DAC), walking
 * the marker segments from SOI; undefined when the walk finds none (libvips then reads it).
 */
function jpegSize(bytes: Uint8Array): ImageExtent | undefined {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  let at = 2;
  while (at + 9 < bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1];
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    const length = (bytes[at + 2] << 8) | bytes[at + 3];
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      const height = (bytes[at + 5] << 8) | bytes[at + 6];
      const width = (bytes[at + 7] << 8) | bytes[at + 8];
      return width > 0 && height > 0 ? { width, height, depth: 1 } : undefined;
    }
    if (length < 2) return undefined;
    at += 2 + length;
  }
  return undefined;
}
