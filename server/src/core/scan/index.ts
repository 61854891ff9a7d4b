/**
 * Decodes every case's image and mask once, checks that they can be read and fit together, and
 * keeps the properties the split analysis needs. Results are cached by file size and mtime, so a
 * second validation of an unchanged dataset decodes nothing.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { MedsegConfig } from '../config/types';
import type { DatasetCase } from '../dataset/types';
import { InputError, type Finding } from '../findings';
import { readImage, readMaskVolume } from '../io';
import { cacheNotSavedFinding, type WriteError } from '../io/writeErrors';
import { pushAll } from '../util/arrays';
import { mapConcurrent } from '../util/concurrency';
import { imageProperties, maskProperties, type ImageProperties, type MaskProperties } from './properties';
import { SCAN_CACHE_VERSION, ScanCache } from './cache';
import { maskLabels } from './labels';
import { maskFitFinding } from './maskFit';

export * from './properties';
export { MASK_LABELS_CAP, maskLabels, type MaskLabels } from './labels';
export { MASK_SIZE_MISMATCH, maskFitError, maskFitFinding, sameExtent } from './maskFit';

export interface CaseScan {
  id: string;
  image?: ImageProperties;
  mask?: MaskProperties;
  /** Why this case could not be scanned (already also a finding). */
  error?: string;
  /** The InputError's code when the mask was decoded but its foreground rule cannot read it (`mask/…`). */
  errorCode?: string;
}

export interface ScanResult {
  scans: CaseScan[];
  findings: Finding[];
  /** Cases decoded in this run (the rest came from the cache). */
  decoded: number;
}

export interface ScanOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  concurrency?: number;
  /** false: read the cache but never write it (a caller that may not write at `runtime.cache`). */
  saveCache?: boolean;
}

// Synchronous on purpose: one stat is a few microseconds from the kernel's cache, while an
// awaited stat per file costs a promise and a pool hop; 120,000 of them dominated a cached scan.
function fileStamp(path: string | undefined): string {
  if (!path) return '-';
  const s = statSync(path, { throwIfNoEntry: false });
  return s ? `${s.size}:${Math.round(s.mtimeMs)}` : 'missing';
}

export async function scanCases(cases: readonly DatasetCase[], config: MedsegConfig, options: ScanOptions = {}): Promise<ScanResult> {
  // v2: masks are checked against the foreground rule; a v1 entry may hold a mask the rule emptied.
  // v3: masks keep their label values (labels.ts), which a v2 entry lacks.
  const cache = await ScanCache.open(join(config.runtime.cache, `scan-v${SCAN_CACHE_VERSION}.json`));
  const rule = JSON.stringify(config.dataset.foreground);
  const findings: Finding[] = [];
  let decoded = 0;
  let done = 0;
  // First every key and cache hit (cheap), then decode only the misses, a few at a time.
  const keys = cases.map((c) => `${c.image}|${fileStamp(c.image)}|${c.mask ?? ''}|${fileStamp(c.mask)}|${rule}|${c.slice ?? ''}`);
  const scans: (CaseScan | undefined)[] = keys.map((k) => cache.get(k));
  const misses = scans.flatMap((s, i) => (s ? [] : [i]));
  done = cases.length - misses.length;
  options.onProgress?.(done, cases.length);
  let unsaved: WriteError | undefined;
  try {
    await mapConcurrent(misses, options.concurrency ?? 4, async (i) => {
      options.signal?.throwIfAborted();
      const scan = await scanOne(cases[i], config);
      decoded++;
      if (!scan.error) cache.set(keys[i], scan);
      scans[i] = scan;
      options.onProgress?.(++done, cases.length);
    });
  } finally {
    // Also when cancelled (a newer edit in the editor): what was decoded is kept for next time.
    if (options.saveCache !== false) unsaved = await cache.save();
  }
  if (unsaved) findings.push(cacheNotSavedFinding(unsaved, 'scan cache', config.runtime.cache, config.file));
  cases.forEach((c, i) => pushAll(findings, caseFindings(c, scans[i]!, config)));
  return { scans: scans as CaseScan[], findings, decoded };
}

async function scanOne(c: DatasetCase, config: MedsegConfig): Promise<CaseScan> {
  const scan: CaseScan = { id: c.id };
  try {
    scan.image = imageProperties(await readImage(c.image, { slice: c.slice }));
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    return { id: c.id, error: err.message };
  }
  if (c.mask) {
    try {
      const { volume, mask } = await readMaskVolume(c.mask, config.dataset.foreground, { slice: c.slice });
      scan.mask = { ...maskProperties(mask), ...maskLabels(volume) };
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      return { ...scan, error: err.message, ...(err.code.startsWith('mask/') ? { errorCode: err.code } : {}) };
    }
  }
  return scan;
}

/** Findings are recomputed from the (possibly cached) scan, so they are the same cold or warm. */
function caseFindings(c: DatasetCase, scan: CaseScan, config: MedsegConfig): Finding[] {
  if (scan.error && scan.errorCode) {
    // Decoded, but the foreground rule cannot read it: the fix is in `dataset.foreground`.
    return [{ code: scan.errorCode, severity: 'error', message: `${c.id}: ${scan.error}`, location: { file: c.mask! }, configPath: ['dataset', 'foreground'] }];
  }
  if (scan.error) {
    const maskFailed = scan.image !== undefined;
    return [
      {
        code: maskFailed ? 'image/unreadable-mask' : 'image/unreadable',
        severity: 'error',
        message: `${c.id}: ${scan.error}`,
        location: { file: maskFailed ? c.mask! : c.image },
        configPath: ['dataset', config.dataset.msd ? 'msd' : maskFailed ? 'masks' : 'images'],
      },
    ];
  }
  const { image, mask } = scan;
  const misfit = image && mask ? maskFitFinding(c, image, mask, ['dataset', config.dataset.msd ? 'msd' : 'masks']) : undefined;
  return misfit ? [misfit] : [];
}
