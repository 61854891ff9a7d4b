import { sliceOutOfRange, unsupportedExtension } from './errors';
import { imageExtension } from './extensions';
import { readNifti } from './niftiRead';
import { readRaster } from './raster';
import type { ImageVolume } from './types';

export interface ReadImageOptions {
  /** One axial (z) slice of a volume; the result has depth 1. 2D images have only slice 0. */
  slice?: number;
  /** Palette PNGs: return the stored indices instead of colours (masks and label maps mean indices). */
  paletteIndices?: boolean;
}

/** Reads any image the engine supports, chosen by extension; bad input throws an InputError. */
export async function readImage(path: string, options: ReadImageOptions = {}): Promise<ImageVolume> {
  const ext = imageExtension(path);
  if (ext === undefined) throw unsupportedExtension(path);
  if (ext === '.nii' || ext === '.nii.gz') return readNifti(path, { slice: options.slice });
  return readRaster(path, options);
}

/** One axial slice of a volume already in memory (cheaper than re-reading a gzipped file per slice). */
export function extractSlice(volume: ImageVolume, z: number, file = '<volume>'): ImageVolume {
  if (!Number.isInteger(z) || z < 0 || z >= volume.depth) throw sliceOutOfRange(file, z, volume.depth);
  const sliceLength = volume.width * volume.height * volume.channels;
  return { ...volume, depth: 1, data: volume.data.slice(z * sliceLength, (z + 1) * sliceLength) };
}
