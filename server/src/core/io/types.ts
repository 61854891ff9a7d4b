/**
 * Pixel containers shared by every engine module. One layout for 2D and 3D: x fastest, then y,
 * then z; channels interleaved. A 2D image is a volume with depth 1.
 */

export type PixelArray = Uint8Array | Uint16Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface NiftiHeaderInfo {
  /** 1 for NIfTI-1 (348-byte header), 2 for NIfTI-2. */
  version: 1 | 2;
  dims: number[];
  pixdim: number[];
  datatype: number;
  bitpix: number;
  voxOffset: number;
  sclSlope: number;
  sclInter: number;
  qformCode: number;
  sformCode: number;
  /** 4×4 row-major voxel → world matrix (sform when set, else qform, else scaling). */
  affine: number[];
  littleEndian: boolean;
  /** Raw header bytes, so a written mask can carry the reference's header exactly. */
  raw: Uint8Array;
}

export interface ImageVolume {
  width: number;
  height: number;
  /** 1 for 2D images and for one axial slice. */
  depth: number;
  channels: number;
  /** Samples as stored (no scaling for 8/16-bit files; NIfTI scl_slope/inter already applied). */
  data: PixelArray;
  /** Bits per sample of the source: 8 or 16 for raster files, the NIfTI bitpix otherwise. */
  bitDepth: number;
  /** Physical size of a pixel/voxel (x, y, z) in mm when the file says, else [1, 1, 1]. */
  spacing: [number, number, number];
  /** Whether `spacing` came from the file (NIfTI header, TIFF resolution) rather than a default. */
  spacingKnown: boolean;
  format: 'png' | 'jpeg' | 'tiff' | 'nifti' | 'other';
  nifti?: NiftiHeaderInfo;
}

/** A binary mask in the same layout, one byte per pixel, 0 or 1. */
export interface BinaryMask {
  width: number;
  height: number;
  depth: number;
  data: Uint8Array;
  spacing: [number, number, number];
  spacingKnown: boolean;
  nifti?: NiftiHeaderInfo;
}

/**
 * Which stored mask values are foreground: any non-zero value, or an explicit list (KiTS: [1, 2]).
 * `otherLabels` are values of other structures in a label map: a mask holding only those is a
 * true empty reference rather than a rule that matches nothing.
 */
export type ForegroundRule =
  | { kind: 'nonzero' }
  | {
      kind: 'values';
      values: readonly number[];
      otherLabels?: readonly number[];
      /**
       * `values` ∪ `otherLabels` name every structure (a region of `dataset.regions`): a non-zero
       * value outside both is refused (`mask/unnamed-labels`) instead of read as background.
       */
      exhaustive?: true;
    };
