/** Colours of the UMAP view: categorical groups, Dice on viridis, and the words ImageData takes. */
export type Rgb = readonly [number, number, number];
/** Okabe–Ito (colour-blind safe), then Tableau's remaining hues. */
export const PALETTE: readonly Rgb[] = [
  [0, 114, 178],
  [230, 159, 0],
  [0, 158, 115],
  [204, 121, 167],
  [86, 180, 233],
  [213, 94, 0],
  [240, 228, 66],
  [148, 103, 189],
  [140, 86, 75],
  [127, 127, 127],
  [188, 189, 34],
  [23, 190, 207],
];
export const NO_VALUE: Rgb = [150, 150, 150];
export const OOD_RING: Rgb = [220, 50, 32];
/** Viridis at 9 stops, for Dice 0 … 1. */
const VIRIDIS: readonly Rgb[] = [
  [68, 1, 84],
  [71, 44, 122],
  [59, 81, 139],
  [44, 113, 142],
  [33, 144, 141],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
];
export function groupColour(g: number): Rgb {
  return g < 0 ? NO_VALUE : PALETTE[g % PALETTE.length];
}

export function diceColour(d: number | null): Rgb {
  if (d === null || !Number.isFinite(d)) return NO_VALUE;
  const t = Math.max(0, Math.min(1, d)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(t));
  const f = t - i;
  const [a, b] = [VIRIDIS[i], VIRIDIS[i + 1]];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

/** An opaque colour as the little-endian RGBA word ImageData's Uint32 view takes. */
export function packed([r, g, b]: Rgb): number {
  return ((255 << 24) | (Math.round(b) << 16) | (Math.round(g) << 8) | Math.round(r)) >>> 0;
}
