import { open, readFile } from 'node:fs/promises';
import { InputError } from '../findings';
import { fileSystemError, IO_UNREADABLE, isInputError, sliceOutOfRange, unreadable, unsupportedContent } from './errors';
import { gunzipPrefix, gunzipUpTo, isGzip, MAX_INFLATED_BYTES, PrefixReader } from './gzip';
import { NIFTI2_HEADER_SIZE, parseNiftiHeader, type ParsedNiftiHeader } from './niftiHeader';
import type { ImageVolume, PixelArray } from './types';

/** NIfTI datatype codes we read, with their sample size and how they land in a PixelArray. */
const DATATYPES: Record<number, { name: string; bytes: number }> = {
  2: { name: 'uint8', bytes: 1 },
  4: { name: 'int16', bytes: 2 },
  8: { name: 'int32', bytes: 4 },
  16: { name: 'float32', bytes: 4 },
  64: { name: 'float64', bytes: 8 },
  256: { name: 'int8', bytes: 1 },
  512: { name: 'uint16', bytes: 2 },
  768: { name: 'uint32', bytes: 4 },
};

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Reads a `.nii`/`.nii.gz` volume, or one axial slice of it (then only the bytes up to that slice
 * are read). A whole read stops inflating at the size the header gives: a file that holds more
 * (a header that does not describe its data, or a gzip bomb) is refused, as is one that holds less.
 */
export async function readNifti(path: string, options: { slice?: number } = {}): Promise<ImageVolume> {
  try {
    if (options.slice === undefined) {
      const bytes: Uint8Array = await readFile(path);
      const gzipped = isGzip(bytes);
      const header = parseNiftiHeader(gzipped ? gunzipPrefix(path, bytes, NIFTI2_HEADER_SIZE) : bytes, path);
      const size = dataSize(path, header);
      const data = gzipped ? gunzipUpTo(path, bytes, size.end).data : bytes;
      if (!data || data.length > size.end) throw tooMuchData(path, size, data?.length);
      return decodeVolume(path, header, data, undefined);
    }
    return await readNiftiSlice(path, options.slice);
  } catch (error) {
    throw isInputError(error) ? error : fileSystemError(path, error);
  }
}

async function readNiftiSlice(path: string, slice: number): Promise<ImageVolume> {
  const handle = await open(path, 'r');
  try {
    const reader = new PrefixReader(handle, path);
    await reader.ensure(NIFTI2_HEADER_SIZE);
    const header = parseNiftiHeader(reader.bytes(), path);
    const { width, height, depth, sampleBytes } = dataSize(path, header);
    if (!Number.isInteger(slice) || slice < 0 || slice >= depth) throw sliceOutOfRange(path, slice, depth);
    await reader.ensure(header.voxOffset + (slice + 1) * width * height * sampleBytes);
    return decodeVolume(path, header, reader.bytes(), slice);
  } finally {
    await handle.close();
  }
}

interface DataSize {
  width: number;
  height: number;
  depth: number;
  sampleBytes: number;
  /** Where the voxel data ends: the file size the header implies (inflated, for `.nii.gz`). */
  end: number;
  /** `5×4×3 int16 from offset 352`, for messages. */
  described: string;
}

/** The volume's shape and the bytes it takes; refuses sizes no read could hold before anything is inflated. */
function dataSize(file: string, header: ParsedNiftiHeader): DataSize {
  const shape = volumeShape(file, header);
  const { width, height, depth, sampleBytes } = shape;
  const end = header.voxOffset + width * height * depth * sampleBytes;
  const described = `${width}×${height}×${depth} ${DATATYPES[header.datatype].name} from offset ${header.voxOffset}`;
  if (!Number.isSafeInteger(end) || end > MAX_INFLATED_BYTES) {
    throw unsupportedContent(file, `the header promises ${end} bytes (${described}), more than one read can hold (${MAX_INFLATED_BYTES})`, 'check the header\'s dimensions and datatype, or split the volume');
  }
  return { ...shape, end, described };
}

function volumeShape(file: string, header: ParsedNiftiHeader) {
  const type = DATATYPES[header.datatype];
  if (!type) {
    const supported = Object.values(DATATYPES).map((t) => t.name).join(', ');
    throw unsupportedContent(file, `NIfTI datatype ${header.datatype} is not read (supported: ${supported})`, 'convert the file to one of these types');
  }
  const [ndim, width, height = 1, depth = 1] = header.dims;
  const extra = header.dims.slice(4, ndim + 1).reduce((a, b) => a * b, 1);
  if (extra !== 1) {
    throw unsupportedContent(file, `holds ${extra} volumes (dimensions ${header.dims.slice(1, ndim + 1).join('×')}), but only single-volume files are read`, 'split it into one file per volume');
  }
  return {
    width,
    height: ndim >= 2 ? height : 1,
    depth: ndim >= 3 ? depth : 1,
    sampleBytes: type.bytes,
  };
}

function tooMuchData(file: string, size: DataSize, found: number | undefined): InputError {
  const holds = found === undefined ? `more (inflating stopped after ${size.end} bytes)` : `${found}`;
  return new InputError(
    file,
    `${file} is not a readable NIfTI file: the header promises ${size.end} bytes (${size.described}) but the file holds ${holds}. ` +
      'The header does not describe the data (wrong dimensions or datatype), or the file is a decompression bomb: re-export it or remove it from the dataset',
    IO_UNREADABLE,
  );
}

function decodeVolume(file: string, header: ParsedNiftiHeader, bytes: Uint8Array, slice: number | undefined): ImageVolume {
  const size = dataSize(file, header);
  const { width, height, depth, sampleBytes } = size;
  if (slice !== undefined && (slice < 0 || slice >= depth)) throw sliceOutOfRange(file, slice, depth);
  const sliceBytes = width * height * sampleBytes;
  const start = header.voxOffset + (slice ?? 0) * sliceBytes;
  const end = slice === undefined ? size.end : start + sliceBytes;
  if (bytes.length < end) {
    throw unreadable(file, `NIfTI file: the header promises ${size.end} bytes (${size.described}) but the file has only ${bytes.length}`);
  }
  const raw = toSamples(header, sampleBytesOf(header, bytes, start, end));
  return {
    width,
    height,
    depth: slice === undefined ? depth : 1,
    channels: 1,
    data: applyScaling(raw, header.sclSlope, header.sclInter),
    bitDepth: header.bitpix,
    ...niftiSpacing(header, depth),
    format: 'nifti',
    nifti: header,
  };
}

/**
 * The voxel bytes, viewed in place when they are aligned and in host order (a whole volume is
 * often hundreds of megabytes), else copied so they can be swapped and viewed.
 */
function sampleBytesOf(header: ParsedNiftiHeader, bytes: Uint8Array, start: number, end: number): Uint8Array {
  const size = DATATYPES[header.datatype].bytes;
  const swap = size > 1 && header.littleEndian !== HOST_LITTLE_ENDIAN;
  if (!swap && (bytes.byteOffset + start) % size === 0) return bytes.subarray(start, end);
  const copy = bytes.slice(start, end);
  if (swap) swapBytes(copy, size);
  return copy;
}

function toSamples(header: ParsedNiftiHeader, bytes: Uint8Array): PixelArray {
  const buffer = bytes.buffer as ArrayBuffer;
  const at = bytes.byteOffset;
  const count = bytes.length / DATATYPES[header.datatype].bytes;
  switch (header.datatype) {
    case 2:
      // a plain Uint8Array even when the bytes came from a Buffer: callers compare by type
      return new Uint8Array(buffer, at, count);
    case 4:
      return new Int16Array(buffer, at, count);
    case 8:
      return new Int32Array(buffer, at, count);
    case 16:
      return new Float32Array(buffer, at, count);
    case 64:
      return new Float64Array(buffer, at, count);
    case 256:
      // PixelArray has no Int8Array; Int16Array holds every int8 value exactly.
      return Int16Array.from(new Int8Array(buffer, at, count));
    case 512:
      return new Uint16Array(buffer, at, count);
    default:
      // uint32 (768): Float64Array holds every uint32 value exactly.
      return Float64Array.from(new Uint32Array(buffer, at, count));
  }
}

export function swapBytes(bytes: Uint8Array, size: number): void {
  for (let i = 0; i + size <= bytes.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = bytes[a];
      bytes[a] = bytes[b];
      bytes[b] = t;
    }
  }
}

/** scl_slope 0 means "no scaling" (NIfTI-1 spec); the identity is skipped so integer labels stay integers. */
function applyScaling(data: PixelArray, slope: number, inter: number): PixelArray {
  if (!Number.isFinite(slope) || slope === 0 || !Number.isFinite(inter)) return data;
  if (slope === 1 && inter === 0) return data;
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i] * slope + inter;
  return out;
}

/** Spacing in mm (xyzt_units may say metres or microns); a missing or invalid pixdim falls back to 1. */
function niftiSpacing(header: ParsedNiftiHeader, depth: number): { spacing: [number, number, number]; spacingKnown: boolean } {
  const unit = header.xyztUnits & 0x07;
  const toMm = unit === 1 ? 1000 : unit === 3 ? 0.001 : 1;
  const valid = (d: number) => Number.isFinite(d) && d > 0;
  const raw = [header.pixdim[1], header.pixdim[2], header.pixdim[3]].map(Math.abs);
  const spacing = raw.map((d) => (valid(d) ? d * toMm : 1)) as [number, number, number];
  const spacingKnown = valid(raw[0]) && valid(raw[1]) && (depth === 1 || valid(raw[2]));
  return { spacing, spacingKnown };
}
