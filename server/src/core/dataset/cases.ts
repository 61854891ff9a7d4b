/**
 * From image entries to evaluation cases: one case per image or volume, or (`volumes: axial`)
 * one case per axial slice of each NIfTI volume, with id `<id>#<z>`.
 */
import type { Finding } from '../findings';
import { InputError } from '../findings';
import { isNiftiPath } from '../io/extensions';
import type { ImageEntry } from './imageEntry';
import type { DatasetCase } from './types';

/** Number of axial slices (NIfTI dim[3]) of a volume file; throws `InputError` for bad files. */
export type SliceCounter = (file: string) => Promise<number>;

export async function entriesToCases(
  entries: readonly ImageEntry[],
  volumes: '3d' | 'axial',
  countSlices: SliceCounter,
  findings: Finding[],
  signal?: AbortSignal,
): Promise<DatasetCase[]> {
  const cases: DatasetCase[] = [];
  for (const entry of entries) {
    const base = { image: entry.image, ...(entry.mask !== undefined ? { mask: entry.mask } : {}) };
    if (volumes !== 'axial' || !isNiftiPath(entry.image)) {
      cases.push({ id: entry.id, ...base, labels: {}, predictions: { ...entry.predictions } });
      continue;
    }
    signal?.throwIfAborted();
    let depth: number;
    try {
      depth = await countSlices(entry.image);
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      findings.push({ code: err.code, severity: 'error', message: err.message, location: { file: err.file } });
      continue;
    }
    for (let z = 0; z < depth; z++) {
      cases.push({ id: `${entry.id}#${z}`, ...base, slice: z, volume: entry.id, labels: {}, predictions: { ...entry.predictions } });
    }
  }
  return cases.sort(compareCases);
}

/** By volume (or image) id, then slice number, so `a#2` comes before `a#10`. */
export function compareCases(a: DatasetCase, b: DatasetCase): number {
  const ka = a.volume ?? a.id;
  const kb = b.volume ?? b.id;
  if (ka !== kb) return ka < kb ? -1 : 1;
  return (a.slice ?? -1) - (b.slice ?? -1);
}
