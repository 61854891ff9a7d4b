/**
 * An image as a short vector for the image map: the slice scaled to [0, 1] (8-bit / 255, 16-bit /
 * 65535, anything else min–max over the slice), three colour channels (grey repeated, alpha
 * dropped), and area-averaged down to 16 × 16, so every image gives 768 numbers whatever its size.
 */
import type { ImageVolume } from '../../io/types';

export const IMAGE_FEATURE_SIDE = 16;
export const IMAGE_FEATURE_LENGTH = 3 * IMAGE_FEATURE_SIDE * IMAGE_FEATURE_SIDE;

/** Per destination cell: source indices and their overlap weights (summing to 1). */
function areaTable(src: number, dst: number): { index: number[]; weight: number[] }[] {
  const scale = src / dst;
  return Array.from({ length: dst }, (_, o) => {
    const lo = o * scale;
    const hi = (o + 1) * scale;
    const index: number[] = [];
    const weight: number[] = [];
    for (let s = Math.floor(lo); s < Math.min(src, Math.ceil(hi)); s++) {
      const overlap = Math.min(hi, s + 1) - Math.max(lo, s);
      if (overlap > 0) {
        index.push(s);
        weight.push(overlap / scale);
      }
    }
    return { index, weight };
  });
}

/** Area-average of a plane (x fastest) to side × side. */
export function areaDownsample(plane: ArrayLike<number>, width: number, height: number, side: number): Float64Array {
  const xs = areaTable(width, side);
  const ys = areaTable(height, side);
  const rows = new Float64Array(height * side);
  for (let y = 0; y < height; y++) {
    for (let o = 0; o < side; o++) {
      const { index, weight } = xs[o];
      let s = 0;
      for (let t = 0; t < index.length; t++) s += plane[y * width + index[t]] * weight[t];
      rows[y * side + o] = s;
    }
  }
  const out = new Float64Array(side * side);
  for (let o = 0; o < side; o++) {
    const { index, weight } = ys[o];
    for (let x = 0; x < side; x++) {
      let s = 0;
      for (let t = 0; t < index.length; t++) s += rows[index[t] * side + x] * weight[t];
      out[o * side + x] = s;
    }
  }
  return out;
}

export function imageFeatures(image: ImageVolume, slice = 0): Float32Array {
  const { width, height, channels, data } = image;
  const n = width * height;
  const base = slice * n * channels;
  const colour = channels >= 3 ? 3 : 1;
  let offset = 0;
  let scale = 1;
  if (data instanceof Uint8Array) scale = 1 / 255;
  else if (data instanceof Uint16Array) scale = 1 / 65535;
  else {
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < n; i++)
      for (let c = 0; c < colour; c++) {
        const v = data[base + i * channels + c];
        if (v < min) min = v;
        if (v > max) max = v;
      }
    offset = Number.isFinite(min) ? min : 0;
    scale = max > min ? 1 / (max - min) : 0;
  }
  const out = new Float32Array(IMAGE_FEATURE_LENGTH);
  const plane = new Float64Array(n);
  const side2 = IMAGE_FEATURE_SIDE * IMAGE_FEATURE_SIDE;
  for (let c = 0; c < 3; c++) {
    const src = Math.min(c, colour - 1);
    for (let i = 0; i < n; i++) plane[i] = (data[base + i * channels + src] - offset) * scale;
    out.set(areaDownsample(plane, width, height, IMAGE_FEATURE_SIDE), c * side2);
  }
  return out;
}
