/**
 * What one decode of an image and its mask tells about a case: intensity statistics, hashes for
 * duplicate detection, and the mask's shape statistics. Pure functions over pixel arrays.
 */
import { createHash } from 'node:crypto';
import type { BinaryMask, ImageVolume } from '../io/types';
import type { MaskLabels } from './labels';

export interface ImageProperties {
  width: number;
  height: number;
  depth: number;
  channels: number;
  bitDepth: number;
  /** Mean luminance; 8/16-bit rasters on [0, 1], NIfTI in stored units (HU for CT). */
  brightness: number;
  /** RMS contrast: standard deviation of the luminance, in the same units. */
  contrast: number;
  /** SHA-256 of the decoded samples and dimensions: equal for identical pixels in any file format. */
  pixelHash: string;
  /** 64-bit DCT perceptual hash of the (middle slice of the) image, 16 hex digits. */
  phash: string;
}

/** The binary mask's shape statistics, and the labels of the samples it was read from (`labels.ts`). */
export interface MaskProperties extends MaskLabels {
  width: number;
  height: number;
  depth: number;
  foregroundPixels: number;
  foregroundFraction: number;
  /** Connected components, face connectivity (4 in 2D, 6 in 3D) like scipy.ndimage.label's default. */
  components: number;
  /** Foreground area (mm² per slice-pixel, or mm³ for volumes) when spacing is known, else pixels. */
  lesionArea: number;
}

function luminanceScale(image: ImageVolume): number {
  if (image.format === 'nifti') return 1;
  return image.bitDepth === 16 ? 1 / 65535 : image.bitDepth === 8 ? 1 / 255 : 1;
}

/** Per-pixel luminance (Rec. 601 for colour, the single channel for grey; alpha ignored), scaled. */
export function luminance(image: ImageVolume): Float32Array {
  const n = image.width * image.height * image.depth;
  const c = image.channels;
  const s = luminanceScale(image);
  const out = new Float32Array(n);
  const d = image.data;
  if (c >= 3) {
    for (let i = 0, j = 0; i < n; i++, j += c) out[i] = (0.299 * d[j] + 0.587 * d[j + 1] + 0.114 * d[j + 2]) * s;
  } else {
    for (let i = 0, j = 0; i < n; i++, j += c) out[i] = d[j] * s;
  }
  return out;
}

export function imageProperties(image: ImageVolume): ImageProperties {
  const lum = luminance(image);
  let sum = 0;
  for (let i = 0; i < lum.length; i++) sum += lum[i];
  const mean = sum / lum.length;
  let sq = 0;
  for (let i = 0; i < lum.length; i++) sq += (lum[i] - mean) ** 2;
  const hash = createHash('sha256');
  hash.update(`${image.width}x${image.height}x${image.depth}x${image.channels}:${image.data.constructor.name}:`);
  hash.update(new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength));
  const z = Math.floor(image.depth / 2);
  const plane = image.width * image.height;
  return {
    width: image.width,
    height: image.height,
    depth: image.depth,
    channels: image.channels,
    bitDepth: image.bitDepth,
    brightness: mean,
    contrast: Math.sqrt(sq / lum.length),
    pixelHash: hash.digest('hex'),
    phash: perceptualHash(lum.subarray(z * plane, (z + 1) * plane), image.width, image.height),
  };
}

/** Area-averaged resize of a single-channel plane (the hash must not depend on aliasing). */
function areaResize(src: Float32Array, w: number, h: number, size: number): Float64Array {
  const out = new Float64Array(size * size);
  for (let oy = 0; oy < size; oy++) {
    const y0 = Math.floor((oy * h) / size);
    const y1 = Math.max(y0 + 1, Math.floor(((oy + 1) * h) / size));
    for (let ox = 0; ox < size; ox++) {
      const x0 = Math.floor((ox * w) / size);
      const x1 = Math.max(x0 + 1, Math.floor(((ox + 1) * w) / size));
      let s = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) s += src[y * w + x];
      out[oy * size + ox] = s / ((y1 - y0) * (x1 - x0));
    }
  }
  return out;
}

const DCT_SIZE = 32;
const HASH_SIZE = 8;
let dctTable: Float64Array | undefined;

/**
 * pHash: 32×32 area-averaged plane, 2D DCT-II, the 8×8 lowest frequencies without the DC term
 * compared with their median. Near-identical images (re-encoded, slightly noisy, resized) differ
 * in a few bits; unrelated images in about 32.
 */
export function perceptualHash(plane: Float32Array, width: number, height: number): string {
  const N = DCT_SIZE;
  const small = areaResize(plane, width, height, N);
  if (!dctTable) {
    dctTable = new Float64Array(HASH_SIZE * N);
    for (let u = 0; u < HASH_SIZE; u++) for (let x = 0; x < N; x++) dctTable[u * N + x] = Math.cos(((2 * x + 1) * u * Math.PI) / (2 * N));
  }
  const rows = new Float64Array(N * HASH_SIZE); // DCT along x for every row, first 8 frequencies
  for (let y = 0; y < N; y++)
    for (let u = 0; u < HASH_SIZE; u++) {
      let s = 0;
      for (let x = 0; x < N; x++) s += small[y * N + x] * dctTable[u * N + x];
      rows[y * HASH_SIZE + u] = s;
    }
  const coef: number[] = [];
  for (let v = 0; v < HASH_SIZE; v++)
    for (let u = 0; u < HASH_SIZE; u++) {
      let s = 0;
      for (let y = 0; y < N; y++) s += rows[y * HASH_SIZE + u] * dctTable[v * N + y];
      coef.push(s);
    }
  const ac = coef.slice(1);
  const sorted = [...ac].sort((a, b) => a - b);
  const median = (sorted[31] + sorted[32]) / 2;
  let hex = '';
  for (let nibble = 0; nibble < 16; nibble++) {
    let bits = 0;
    for (let b = 0; b < 4; b++) {
      const k = nibble * 4 + b;
      bits = (bits << 1) | (k === 0 ? 0 : coef[k] > median ? 1 : 0);
    }
    hex += bits.toString(16);
  }
  return hex;
}

export function hammingDistance(a: string, b: string): number {
  let d = 0;
  for (let i = 0; i < a.length; i += 8) {
    let x = (parseInt(a.slice(i, i + 8), 16) ^ parseInt(b.slice(i, i + 8), 16)) >>> 0;
    while (x) {
      x &= x - 1;
      d++;
    }
  }
  return d;
}

/** Face-connected components by union-find in one raster pass. */
export function countComponents(mask: Uint8Array, width: number, height: number, depth: number): number {
  const n = mask.length;
  const parent = new Int32Array(n).fill(-1);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  };
  const union = (a: number, b: number) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[ra < rb ? rb : ra] = ra < rb ? ra : rb;
  };
  const plane = width * height;
  let roots = 0;
  for (let z = 0; z < depth; z++)
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const i = z * plane + y * width + x;
        if (!mask[i]) continue;
        parent[i] = i;
        if (x > 0 && mask[i - 1]) union(i, i - 1);
        if (y > 0 && mask[i - width]) union(i, i - width);
        if (z > 0 && mask[i - plane]) union(i, i - plane);
      }
  for (let i = 0; i < n; i++) if (mask[i] && find(i) === i) roots++;
  return roots;
}

export function maskProperties(mask: BinaryMask): MaskProperties {
  let fg = 0;
  for (let i = 0; i < mask.data.length; i++) fg += mask.data[i];
  const [sx, sy, sz] = mask.spacing;
  const unit = mask.spacingKnown ? sx * sy * (mask.depth > 1 ? sz : 1) : 1;
  return {
    width: mask.width,
    height: mask.height,
    depth: mask.depth,
    foregroundPixels: fg,
    foregroundFraction: fg / mask.data.length,
    components: countComponents(mask.data, mask.width, mask.height, mask.depth),
    lesionArea: fg * unit,
  };
}
