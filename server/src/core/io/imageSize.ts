/**
 * An image's width, height and depth from its header, as `readImage` would decode them: what the
 * evaluation needs to check a mask against its image when the prediction comes from the cache and
 * the image is never decoded. PNG from IHDR, NIfTI from its (partly inflated) header, other
 * rasters from libvips' header read.
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
  try {
    const meta = await sharp(bytes).metadata();
    if (!meta.width || !meta.height) throw new Error('no width or height in the header');
    return { width: meta.width, height: meta.height, depth: 1 };
  } catch (error) {
    throw unreadable(path, 'image', error);
  }
}
