import { open } from 'node:fs/promises';
import { fileSystemError, isInputError, unreadable, unsupportedContent } from './errors';
import { PrefixReader } from './gzip';
import type { NiftiHeaderInfo } from './types';

export const NIFTI1_HEADER_SIZE = 348;
export const NIFTI2_HEADER_SIZE = 540;

/** What the writer needs beyond the public header info to carry a reference's geometry exactly. */
export interface NiftiGeometry {
  quatern: [number, number, number];
  qoffset: [number, number, number];
  /** srow_x, srow_y, srow_z: 12 numbers. */
  srow: number[];
  xyztUnits: number;
}

export type ParsedNiftiHeader = NiftiHeaderInfo & NiftiGeometry;

interface Reader {
  i16(offset: number): number;
  i32(offset: number): number;
  i64(offset: number): number;
  /** NIfTI-1 stores floats, NIfTI-2 doubles; `real` reads whichever this version uses. */
  real(offset: number): number;
}

function makeReader(view: DataView, littleEndian: boolean, version: 1 | 2): Reader {
  return {
    i16: (o) => view.getInt16(o, littleEndian),
    i32: (o) => view.getInt32(o, littleEndian),
    i64: (o) => Number(view.getBigInt64(o, littleEndian)),
    real: version === 1 ? (o) => view.getFloat32(o, littleEndian) : (o) => view.getFloat64(o, littleEndian),
  };
}

/** Field offsets of the two header layouts (nifti1.h, nifti2.h). */
const LAYOUT = {
  1: { dim: 40, dimSize: 2, intCode: 2, datatype: 70, bitpix: 72, pixdim: 76, voxOffset: 108, slope: 112, inter: 116, xyzt: 123, qformCode: 252, sformCode: 254, quatern: 256, qoffset: 268, srow: 280, realSize: 4 },
  2: { dim: 16, dimSize: 8, intCode: 4, datatype: 12, bitpix: 14, pixdim: 104, voxOffset: 168, slope: 176, inter: 184, xyzt: 500, qformCode: 344, sformCode: 348, quatern: 352, qoffset: 376, srow: 400, realSize: 8 },
} as const;

/** Endianness and version from `sizeof_hdr`, the only field whose value is fixed (348 or 540). */
export function detectNiftiVersion(bytes: Uint8Array): { version: 1 | 2; littleEndian: boolean } | undefined {
  if (bytes.length < 4) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, 4);
  for (const littleEndian of [true, false]) {
    const size = view.getInt32(0, littleEndian);
    if (size === NIFTI1_HEADER_SIZE) return { version: 1, littleEndian };
    if (size === NIFTI2_HEADER_SIZE) return { version: 2, littleEndian };
  }
  return undefined;
}

/** Parses a NIfTI-1 or NIfTI-2 header from the start of `bytes` (at least the header's size). */
export function parseNiftiHeader(bytes: Uint8Array, file: string): ParsedNiftiHeader {
  const detected = detectNiftiVersion(bytes);
  if (!detected) {
    throw unsupportedContent(file, 'is not a NIfTI file (its first 4 bytes are not 348 or 540)', 're-export it as NIfTI (.nii or .nii.gz)');
  }
  const { version, littleEndian } = detected;
  const headerSize = version === 1 ? NIFTI1_HEADER_SIZE : NIFTI2_HEADER_SIZE;
  if (bytes.length < headerSize) {
    throw unreadable(file, `NIfTI file (header needs ${headerSize} bytes, the file has ${bytes.length})`);
  }
  checkMagic(bytes, version, file);
  const layout = LAYOUT[version];
  const r = makeReader(new DataView(bytes.buffer, bytes.byteOffset, headerSize), littleEndian, version);
  const readDim = (i: number) => (version === 1 ? r.i16(layout.dim + 2 * i) : r.i64(layout.dim + 8 * i));
  const readCode = (o: number) => (version === 1 ? r.i16(o) : r.i32(o));

  const dims = Array.from({ length: 8 }, (_, i) => readDim(i));
  if (!(dims[0] >= 1 && dims[0] <= 7) || dims.slice(1, dims[0] + 1).some((d) => !(d >= 1))) {
    throw unreadable(file, `NIfTI file (its dimensions [${dims.join(', ')}] are invalid)`);
  }
  const pixdim = Array.from({ length: 8 }, (_, i) => r.real(layout.pixdim + layout.realSize * i));
  const declaredOffset = version === 1 ? r.real(layout.voxOffset) : r.i64(layout.voxOffset);
  // Some writers leave vox_offset at 0; the data of a single-file NIfTI cannot start inside the header.
  const voxOffset = declaredOffset >= headerSize ? Math.floor(declaredOffset) : headerSize + 4;
  const xyztUnits = version === 1 ? bytes[layout.xyzt] : r.i32(layout.xyzt);
  const quatern = [0, 1, 2].map((i) => r.real(layout.quatern + layout.realSize * i)) as [number, number, number];
  const qoffset = [0, 1, 2].map((i) => r.real(layout.qoffset + layout.realSize * i)) as [number, number, number];
  const srow = Array.from({ length: 12 }, (_, i) => r.real(layout.srow + layout.realSize * i));
  const qformCode = readCode(layout.qformCode);
  const sformCode = readCode(layout.sformCode);
  const geometry: NiftiGeometry = { quatern, qoffset, srow, xyztUnits };
  return {
    version,
    dims,
    pixdim,
    datatype: r.i16(layout.datatype),
    bitpix: r.i16(layout.bitpix),
    voxOffset,
    sclSlope: r.real(layout.slope),
    sclInter: r.real(layout.inter),
    qformCode,
    sformCode,
    affine: niftiAffine(sformCode, qformCode, pixdim, geometry),
    littleEndian,
    raw: bytes.slice(0, headerSize),
    ...geometry,
  };
}

function checkMagic(bytes: Uint8Array, version: 1 | 2, file: string): void {
  const at = version === 1 ? 344 : 4;
  const magic = String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2]);
  const single = version === 1 ? 'n+1' : 'n+2';
  const pair = version === 1 ? 'ni1' : 'ni2';
  if (magic === single) return;
  if (magic === pair) {
    throw unsupportedContent(file, 'is the header of a .hdr/.img pair, its voxels live in a separate file', 'convert the pair to a single .nii or .nii.gz file');
  }
  throw unreadable(file, `NIfTI file (magic "${magic.replace(/[^\x20-\x7e]/g, '?')}" instead of "${single}")`);
}

/** Voxel → world, row-major 4×4: sform when set, else the quaternion qform, else plain scaling (NIfTI methods 3, 2, 1). */
export function niftiAffine(sformCode: number, qformCode: number, pixdim: readonly number[], g: NiftiGeometry): number[] {
  if (sformCode > 0) return [...g.srow, 0, 0, 0, 1];
  const [dx, dy, dz] = [pixdim[1], pixdim[2], pixdim[3]].map((d) => (d > 0 ? d : 1));
  if (qformCode > 0) {
    const [b, c, d] = g.quatern;
    const a = Math.sqrt(Math.max(0, 1 - (b * b + c * c + d * d)));
    const qfac = pixdim[0] < 0 ? -1 : 1;
    const rot = [
      [a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
      [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
      [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b],
    ];
    const scale = [dx, dy, qfac * dz];
    return [0, 1, 2].flatMap((row) => [...[0, 1, 2].map((col) => rot[row][col] * scale[col]), g.qoffset[row]]).concat([0, 0, 0, 1]);
  }
  return [dx, 0, 0, 0, 0, dy, 0, 0, 0, 0, dz, 0, 0, 0, 0, 1];
}

/**
 * Reads only the header of a `.nii` or `.nii.gz` file. Counting slices across thousands of volumes
 * must not inflate them, so a gzipped file is inflated just past the header.
 */
export async function readNiftiHeader(path: string): Promise<NiftiHeaderInfo> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw fileSystemError(path, error);
  }
  try {
    const reader = new PrefixReader(handle, path);
    await reader.ensure(NIFTI2_HEADER_SIZE);
    return parseNiftiHeader(reader.bytes(), path);
  } catch (error) {
    throw isInputError(error) ? error : fileSystemError(path, error);
  } finally {
    await handle.close();
  }
}
