/**
 * Smooth random fields for shading and texture: value noise (random values on a coarse lattice,
 * smoothly interpolated), summed over octaves. Cheap enough to make several per 128×128 image.
 */
import type { SeededRandom } from './random';

/** One octave: values in [-1, 1], varying over about `cell` pixels. */
function valueNoise(rng: SeededRandom, width: number, height: number, cell: number): Float32Array {
  const gw = Math.ceil(width / cell) + 2;
  const gh = Math.ceil(height / cell) + 2;
  const lattice = new Float32Array(gw * gh);
  for (let i = 0; i < lattice.length; i++) lattice[i] = rng.uniform(-1, 1);
  // A random sub-cell offset so lattice lines do not sit at the same place in every image.
  const ox = rng.uniform(0, cell);
  const oy = rng.uniform(0, cell);
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const fy = (y + oy) / cell;
    const iy = Math.floor(fy);
    const ty = smooth(fy - iy);
    for (let x = 0; x < width; x++) {
      const fx = (x + ox) / cell;
      const ix = Math.floor(fx);
      const tx = smooth(fx - ix);
      const a = lattice[iy * gw + ix];
      const b = lattice[iy * gw + ix + 1];
      const c = lattice[(iy + 1) * gw + ix];
      const d = lattice[(iy + 1) * gw + ix + 1];
      out[y * width + x] = (a + (b - a) * tx) * (1 - ty) + (c + (d - c) * tx) * ty;
    }
  }
  return out;
}

function smooth(t: number): number {
  return t * t * (3 - 2 * t);
}

/** Fractal noise: octaves at cell, cell/2, … with halving amplitude, scaled back to about [-1, 1]. */
export function noiseField(rng: SeededRandom, width: number, height: number, cell: number, octaves = 1): Float32Array {
  const out = new Float32Array(width * height);
  let amplitude = 1;
  let total = 0;
  for (let o = 0; o < octaves; o++) {
    const layer = valueNoise(rng, width, height, Math.max(1, cell / 2 ** o));
    for (let i = 0; i < out.length; i++) out[i] += amplitude * layer[i];
    total += amplitude;
    amplitude /= 2;
  }
  for (let i = 0; i < out.length; i++) out[i] /= total;
  return out;
}
