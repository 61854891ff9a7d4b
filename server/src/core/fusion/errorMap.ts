/**
 * Error maps: where a prediction is right or wrong, by error type, for PNGs and the preview. Any
 * non-zero byte counts as foreground, as in computeConfusion, so the counts of a map equal the
 * confusion counts of the same pair.
 */
import { checkPair } from './masks';

/** Label values of an error map. */
export const ERROR_LABEL = { TN: 0, TP: 1, FP: 2, FN: 3 } as const;
export type ErrorLabel = (typeof ERROR_LABEL)[keyof typeof ERROR_LABEL];

/**
 * Okabe–Ito colours (distinguishable with every common colour-vision deficiency), RGBA by label:
 * TN transparent, TP bluish green #009E73, FP (type I) vermillion #D55E00, FN (type II) blue #0072B2.
 */
export const ERROR_COLOURS: Readonly<Record<keyof typeof ERROR_LABEL, readonly [number, number, number, number]>> = {
  TN: [0, 0, 0, 0],
  TP: [0x00, 0x9e, 0x73, 255],
  FP: [0xd5, 0x5e, 0x00, 255],
  FN: [0x00, 0x72, 0xb2, 255],
};

/** The colours as a palette indexed by label (TN, TP, FP, FN), for indexed PNGs of error maps. */
export const ERROR_PALETTE: readonly (readonly [number, number, number, number])[] = [ERROR_COLOURS.TN, ERROR_COLOURS.TP, ERROR_COLOURS.FP, ERROR_COLOURS.FN];

/** Indexed by 2·ref + pred. */
const LABEL_OF_PAIR = Uint8Array.of(ERROR_LABEL.TN, ERROR_LABEL.FP, ERROR_LABEL.FN, ERROR_LABEL.TP);

/** Label map, one byte per pixel: 0 = TN, 1 = TP, 2 = FP (type I), 3 = FN (type II). */
export function errorMap(ref: Uint8Array, pred: Uint8Array): Uint8Array {
  checkPair(ref, pred, 'errorMap', ['reference', 'prediction']);
  const out = new Uint8Array(ref.length);
  for (let i = 0; i < ref.length; i++) out[i] = LABEL_OF_PAIR[(ref[i] === 0 ? 0 : 2) + (pred[i] === 0 ? 0 : 1)];
  return out;
}

/** Counts per label of an error map, named like ConfusionCounts. */
export function countErrorLabels(map: Uint8Array): { tp: number; fp: number; fn: number; tn: number } {
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < map.length; i++) counts[map[i] & 3]++;
  return { tn: counts[ERROR_LABEL.TN], tp: counts[ERROR_LABEL.TP], fp: counts[ERROR_LABEL.FP], fn: counts[ERROR_LABEL.FN] };
}

/**
 * RGBA pixels (4 bytes each, rows top to bottom) of one 2D error map or slice, for a PNG encoder
 * or an ImageData; labels outside 0…3 are a bug and throw.
 */
export function errorMapRgba(map: Uint8Array, width: number, height: number): Uint8Array {
  if (map.length !== width * height) {
    throw new RangeError(`errorMapRgba: ${map.length} labels for a ${width}×${height} image`);
  }
  // One 32-bit store per pixel (bytes in memory order R, G, B, A on a little-endian machine).
  const pack = ([r, g, b, a]: readonly number[]) => ((a << 24) | (b << 16) | (g << 8) | r) >>> 0;
  const palette = Uint32Array.from([ERROR_COLOURS.TN, ERROR_COLOURS.TP, ERROR_COLOURS.FP, ERROR_COLOURS.FN].map(pack));
  const rgba = new Uint8Array(map.length * 4);
  const words = new Uint32Array(rgba.buffer);
  for (let i = 0; i < map.length; i++) {
    const label = map[i];
    if (label > 3) throw new RangeError(`errorMapRgba: label ${label} at pixel ${i} is not an error label`);
    words[i] = palette[label];
  }
  return rgba;
}
