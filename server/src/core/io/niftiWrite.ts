import { gzipSync } from 'node:zlib';
import { writeFileAtomic } from './atomic';
import { NIFTI1_HEADER_SIZE, parseNiftiHeader, type NiftiGeometry } from './niftiHeader';
import type { NiftiHeaderInfo, PixelArray } from './types';

export interface NiftiVolumeToWrite {
  width: number;
  height: number;
  depth: number;
  data: PixelArray;
  spacing: [number, number, number];
}

export interface NiftiWriteOptions {
  /** A reference header whose geometry (qform, sform, pixdim, units) the written file carries. */
  like?: NiftiHeaderInfo;
}

/** NIfTI datatype code and bitpix per array type; the file keeps the array's own sample type. */
function datatypeOf(data: PixelArray): { code: number; bitpix: number } {
  if (data instanceof Uint8Array) return { code: 2, bitpix: 8 };
  if (data instanceof Int16Array) return { code: 4, bitpix: 16 };
  if (data instanceof Uint16Array) return { code: 512, bitpix: 16 };
  if (data instanceof Int32Array) return { code: 8, bitpix: 32 };
  if (data instanceof Float32Array) return { code: 16, bitpix: 32 };
  return { code: 64, bitpix: 64 };
}

const VOX_OFFSET = NIFTI1_HEADER_SIZE + 4;

/** NIfTI-1 bytes, little-endian, data at 352; gzipped when asked; equal input gives equal bytes, so results can be hashed. */
export function encodeNifti(volume: NiftiVolumeToWrite, options: NiftiWriteOptions & { gzip?: boolean } = {}): Uint8Array {
  const { width, height, depth, data } = volume;
  if (data.length !== width * height * depth) {
    throw new Error(`encodeNifti: ${data.length} samples for a ${width}×${height}×${depth} volume`);
  }
  const like = options.like;
  if (like && (like.dims[1] !== width || (like.dims[2] ?? 1) !== height || (like.dims[0] >= 3 ? like.dims[3] : 1) !== depth)) {
    throw new Error(`encodeNifti: the volume is ${width}×${height}×${depth} but the reference header is ${like.dims.slice(1, like.dims[0] + 1).join('×')}`);
  }
  const { code, bitpix } = datatypeOf(data);
  const out = new Uint8Array(VOX_OFFSET + data.byteLength);
  const view = new DataView(out.buffer);
  view.setInt32(0, NIFTI1_HEADER_SIZE, true);
  const ndim = depth > 1 || (like !== undefined && like.dims[0] >= 3) ? 3 : 2;
  [ndim, width, height, ndim === 3 ? depth : 1, 1, 1, 1, 1].forEach((d, i) => view.setInt16(40 + 2 * i, d, true));
  view.setInt16(70, code, true);
  view.setInt16(72, bitpix, true);
  view.setFloat32(108, VOX_OFFSET, true);
  view.setFloat32(112, 1, true);
  view.setFloat32(116, 0, true);
  writeText(out, 148, 'MedSeg Eval', 80);
  writeText(out, 344, 'n+1', 4);
  writeGeometry(view, out, volume, like);
  // The sample bytes go out in host order; every host Node runs on in practice is little-endian.
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), VOX_OFFSET);
  if (!options.gzip) return out;
  // node:zlib rather than fflate here: it compresses about twice as fast, and its header has no timestamp.
  const gz = gzipSync(out, { level: 6 });
  return new Uint8Array(gz.buffer, gz.byteOffset, gz.byteLength);
}

function writeGeometry(view: DataView, out: Uint8Array, volume: NiftiVolumeToWrite, like: NiftiHeaderInfo | undefined): void {
  const reference = like ? referenceGeometry(like) : undefined;
  const geometry = reference?.geometry;
  const [sx, sy, sz] = volume.spacing;
  const pixdim = like ? like.pixdim.slice(0, 8) : [1, sx, sy, sz, 0, 0, 0, 0];
  if (!(pixdim[0] === 1 || pixdim[0] === -1)) pixdim[0] = 1;
  pixdim.forEach((d, i) => view.setFloat32(76 + 4 * i, d, true));
  // Without a reference, both forms say "voxel i,j,k is at spacing × (i,j,k)" (NIfTI unit 2: mm).
  out[123] = geometry ? geometry.xyztUnits : 2;
  view.setInt16(252, reference ? reference.qformCode : 1, true);
  view.setInt16(254, reference ? reference.sformCode : 1, true);
  const quatern = geometry?.quatern ?? [0, 0, 0];
  const qoffset = geometry?.qoffset ?? [0, 0, 0];
  const srow = geometry?.srow ?? [sx, 0, 0, 0, 0, sy, 0, 0, 0, 0, sz, 0];
  quatern.forEach((q, i) => view.setFloat32(256 + 4 * i, q, true));
  qoffset.forEach((q, i) => view.setFloat32(268 + 4 * i, q, true));
  srow.forEach((s, i) => view.setFloat32(280 + 4 * i, s, true));
}

/**
 * The reference's exact geometry comes from its raw header bytes; a header built by hand (no raw
 * bytes) still gives its affine, written as the sform.
 */
function referenceGeometry(like: NiftiHeaderInfo): { geometry: NiftiGeometry; qformCode: number; sformCode: number } {
  try {
    const { quatern, qoffset, srow, xyztUnits, qformCode, sformCode } = parseNiftiHeader(like.raw, '<reference header>');
    return { geometry: { quatern, qoffset, srow, xyztUnits }, qformCode, sformCode };
  } catch {
    const geometry = { quatern: [0, 0, 0] as [number, number, number], qoffset: [0, 0, 0] as [number, number, number], srow: like.affine.slice(0, 12), xyztUnits: 2 };
    return { geometry, qformCode: 0, sformCode: Math.max(1, like.sformCode) };
  }
}

function writeText(out: Uint8Array, offset: number, text: string, size: number): void {
  for (let i = 0; i < Math.min(text.length, size - 1); i++) out[offset + i] = text.charCodeAt(i) & 0x7f;
}

/** Writes a NIfTI-1 file atomically, gzipped when the path ends in `.nii.gz`. */
export async function writeNifti(path: string, volume: NiftiVolumeToWrite, options: NiftiWriteOptions = {}): Promise<void> {
  const gzip = path.toLowerCase().endsWith('.gz');
  await writeFileAtomic(path, encodeNifti(volume, { ...options, gzip }));
}
