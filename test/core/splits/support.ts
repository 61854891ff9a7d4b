/** Hand-made cases and scans for the split tests: no files, every property chosen by the test. */
import type { SplitName } from '../../../server/src/core/config/types';
import type { DatasetCase } from '../../../server/src/core/dataset/types';
import type { CaseScan } from '../../../server/src/core/scan';

export function makeCase(id: string, extra: Partial<DatasetCase> = {}): DatasetCase {
  return { id, image: `/data/images/${id}.png`, mask: `/data/masks/${id}.png`, labels: {}, predictions: {}, ...extra };
}

export interface ScanSpec {
  brightness?: number;
  contrast?: number;
  pixelHash?: string;
  phash?: string;
  foregroundPixels?: number;
  components?: number;
}

/** A 100×100 image scan; the pixel hash defaults to one of its own (no accidental duplicates). */
export function makeScan(id: string, spec: ScanSpec = {}): CaseScan {
  const fg = spec.foregroundPixels ?? 500;
  return {
    id,
    image: {
      width: 100,
      height: 100,
      depth: 1,
      channels: 3,
      bitDepth: 8,
      brightness: spec.brightness ?? 0.5,
      contrast: spec.contrast ?? 0.2,
      pixelHash: spec.pixelHash ?? `pixels-of-${id}`,
      phash: spec.phash ?? '0000000000000000',
    },
    mask: {
      width: 100,
      height: 100,
      depth: 1,
      foregroundPixels: fg,
      foregroundFraction: fg / 10000,
      components: spec.components ?? (fg > 0 ? 1 : 0),
      lesionArea: fg,
    },
  };
}

/** A deterministic 64-bit hash per integer (splitmix64), 16 hex digits. */
export function hashOf(k: number): string {
  let z = (BigInt(k) + 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & 0xffffffffffffffffn;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & 0xffffffffffffffffn;
  return (z ^ (z >> 31n)).toString(16).padStart(16, '0');
}

/** `hash` with the given bits flipped (bit 0 = least significant). */
export function flipBits(hash: string, bits: readonly number[]): string {
  let v = BigInt(`0x${hash}`);
  for (const b of bits) v ^= 1n << BigInt(b);
  return v.toString(16).padStart(16, '0');
}

export function splitOf(cases: readonly DatasetCase[]): Map<string, SplitName> {
  return new Map(cases.map((c) => [c.id, c.split!]));
}
