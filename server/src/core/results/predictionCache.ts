/**
 * Content-addressed cache of model predictions: key = hash(model file × image file ×
 * preprocessing × engine cache version). A repeated run does no inference; a run killed half-way
 * resumes from what it had stored. Each entry is written atomically, so a kill never leaves a
 * half entry behind.
 *
 * Probabilities are stored quantised to 16 bits, the same quantisation as the `prob/` PNGs and the
 * AUROC histograms: masks are thresholded from the quantised value, so a cached and a fresh run
 * give byte-identical results. A 2D entry IS the `prob/` PNG (16-bit grey): it is encoded once and
 * hard-linked into each results folder; volumes are stored as a small gzipped raw format.
 */
import { join } from 'node:path';
import { gunzip, gzip } from 'node:zlib';
import { promisify } from 'node:util';
import { writeFileAtomic } from '../io/atomic';
import { WriteError } from '../io/writeErrors';
import { readFileBytes } from '../io/fileBytes';
import { gunzipPrefix, MAX_INFLATED_BYTES } from '../io/gzip';
import { decodePlainPng } from '../io/pngDecode';
import { encodeQuantisedProbabilityPng } from '../io/pngWrite';
import { sha256 } from '../util/hash';

// Native zlib on the libuv pool: compression overlaps inference instead of blocking the loop.
const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** Bump when anything that changes a cached prediction changes (preprocessing, resizing, …). */
export const PREDICTION_CACHE_VERSION = 2;

const MAGIC = 0x3143534d; // 'MSC1' little-endian
/** Entries of every channel of a model (regions): the header has a fifth field, the channel count; the argmax plane follows the probabilities. */
const MAGIC_PLANES = 0x3243534d; // 'MSC2'

export interface QuantisedPrediction {
  width: number;
  height: number;
  depth: number;
  /** round(p × 65535), x fastest then y then z. */
  prob: Uint16Array;
  /** Channel volumes in `prob`, one after another (a region evaluation's every-channel entries); absent: 1. */
  planes?: number;
  /**
   * With `planes`: the channel of highest probability at each voxel, taken on the float scores
   * before quantising (the first channel on a tie, as numpy's argmax), so a softmax region's mask
   * is what nnU-Net's argmax gives, not what 16-bit rounding leaves.
   */
  argmax?: Uint8Array;
  /** A region's mask where it is not `prob` ≥ threshold (softmax regions: the argmax label is in the region). */
  mask?: Uint8Array;
  /** The 16-bit PNG of `prob` where one was already made (2D cache entries): reused for `prob/`. */
  png?: StoredPng;
}

/** An encoded probability PNG, and the file holding it when it is stored (a link source). */
export interface StoredPng {
  bytes: Uint8Array;
  path?: string;
}

export function predictionKey(parts: { modelHash: string; imageHash: string; preprocessing: unknown; slice?: number }): string {
  return sha256(JSON.stringify({ v: PREDICTION_CACHE_VERSION, ...parts }));
}

export class PredictionCache {
  constructor(readonly dir: string) {}

  private pathOf(key: string, depth: number, planes: number): string {
    return join(this.dir, key.slice(0, 2), `${key}${depth === 1 && planes === 1 ? '.png' : '.msc'}`);
  }

  /**
   * The entry of `key` for an image of `depth` slices (of every channel when `planes` is 'all');
   * undefined when missing or damaged (recompute).
   */
  async get(key: string, depth: number, planes?: 'all'): Promise<QuantisedPrediction | undefined> {
    const path = this.pathOf(key, depth, planes === 'all' ? 2 : 1);
    let bytes: Uint8Array;
    try {
      bytes = await readFileBytes(path);
    } catch {
      return undefined;
    }
    if (planes === 'all') return fromMsc(await inflateMsc(bytes, path), true);
    return depth === 1 ? fromPng(bytes, path) : fromMsc(await inflateMsc(bytes, path), false);
  }

  /**
   * The first write that failed (read-only share, full disk): the run goes on without storing, and
   * the caller reports `runtime/cache-not-saved` once. Later puts do not try again.
   */
  unsaved: WriteError | undefined;

  /** Stores a prediction; 2D entries come back with their PNG so the caller can link or reuse it. */
  async put(key: string, p: QuantisedPrediction): Promise<QuantisedPrediction> {
    const planes = p.planes ?? 1;
    const path = this.pathOf(key, p.depth, planes);
    if (p.depth === 1 && planes === 1) {
      const bytes = await encodeQuantisedProbabilityPng(p.prob, p.width, p.height);
      // Without a stored file the PNG's bytes are still reused for prob/ (written, not linked).
      return (await this.store(path, bytes)) ? { ...p, png: { bytes, path } } : { ...p, png: { bytes } };
    }
    const head = planes === 1 ? 16 : 20;
    const argmax = planes === 1 ? undefined : p.argmax;
    if (planes !== 1 && (!argmax || argmax.length * planes !== p.prob.length)) throw new Error('PredictionCache.put: an every-channel entry needs its argmax plane');
    const out = new Uint8Array(head + p.prob.byteLength + (argmax?.length ?? 0));
    const view = new DataView(out.buffer);
    view.setUint32(0, planes === 1 ? MAGIC : MAGIC_PLANES, true);
    view.setUint32(4, p.width, true);
    view.setUint32(8, p.height, true);
    view.setUint32(12, p.depth, true);
    if (planes !== 1) view.setUint32(16, planes, true);
    out.set(new Uint8Array(p.prob.buffer, p.prob.byteOffset, p.prob.byteLength), head);
    if (argmax) out.set(argmax, head + p.prob.byteLength);
    await this.store(path, await gzipAsync(out, { level: 1 }));
    return p;
  }

  /** Writes an entry; false when the cache cannot be written (remembered in `unsaved`). */
  private async store(path: string, bytes: Uint8Array): Promise<boolean> {
    if (this.unsaved) return false;
    try {
      await writeFileAtomic(path, bytes);
      return true;
    } catch (err) {
      if (!(err instanceof WriteError)) throw err;
      this.unsaved = err;
      return false;
    }
  }
}

function fromPng(bytes: Uint8Array, path: string): QuantisedPrediction | undefined {
  let png;
  try {
    png = decodePlainPng(bytes);
  } catch {
    return undefined;
  }
  if (!png || png.bitDepth !== 16 || png.channels !== 1) return undefined;
  return { width: png.width, height: png.height, depth: 1, prob: png.data as Uint16Array, png: { bytes, path } };
}

/**
 * A volume entry's bytes, inflated no further than the size its 16-byte header gives (a damaged
 * or planted entry that inflates to more is a miss, not gigabytes of memory); empty when unusable.
 */
async function inflateMsc(bytes: Uint8Array, path: string): Promise<Uint8Array> {
  try {
    const head = gunzipPrefix(path, bytes, 20);
    if (head.byteLength < 16) return new Uint8Array(0);
    const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
    const multi = view.getUint32(0, true) === MAGIC_PLANES;
    if (multi && head.byteLength < 20) return new Uint8Array(0);
    const planes = multi ? view.getUint32(16, true) : 1;
    const voxels = view.getUint32(4, true) * view.getUint32(8, true) * view.getUint32(12, true);
    const expected = (multi ? 20 + voxels : 16) + 2 * voxels * planes;
    if (expected > MAX_INFLATED_BYTES) return new Uint8Array(0);
    return await gunzipAsync(bytes, { maxOutputLength: expected });
  } catch {
    return new Uint8Array(0);
  }
}

function fromMsc(bytes: Uint8Array, multi: boolean): QuantisedPrediction | undefined {
  const head = multi ? 20 : 16;
  if (bytes.byteLength < head) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== (multi ? MAGIC_PLANES : MAGIC)) return undefined;
  const width = view.getUint32(4, true);
  const height = view.getUint32(8, true);
  const depth = view.getUint32(12, true);
  const planes = multi ? view.getUint32(16, true) : 1;
  const voxels = width * height * depth;
  const n = voxels * planes;
  if (bytes.byteLength !== head + 2 * n + (multi ? voxels : 0)) return undefined;
  const prob = new Uint16Array(n);
  new Uint8Array(prob.buffer).set(bytes.subarray(head, head + 2 * n));
  return multi ? { width, height, depth, prob, planes, argmax: bytes.slice(head + 2 * n) } : { width, height, depth, prob };
}

/** Quantises probabilities to 16 bits (NaN is the caller's bug to report before this). */
export function quantiseProbabilities(prob: Float32Array): Uint16Array {
  const q = new Uint16Array(prob.length);
  for (let i = 0; i < prob.length; i++) {
    const p = prob[i];
    // (x + 0.5) | 0 is Math.round for the positive x here, without the call.
    q[i] = p <= 0 ? 0 : p >= 1 ? 65535 : (p * 65535 + 0.5) | 0;
  }
  return q;
}

/** The binary mask of a quantised map: foreground where q/65535 ≥ threshold. */
export function thresholdQuantised(q: Uint16Array, threshold: number): Uint8Array {
  // Integer comparison avoids float drift: q/65535 ≥ t  ⇔  q ≥ ceil(t·65535) (up to rounding of t·65535).
  const cut = Math.ceil(threshold * 65535 - 1e-9);
  const mask = new Uint8Array(q.length);
  for (let i = 0; i < q.length; i++) mask[i] = q[i] >= cut ? 1 : 0;
  return mask;
}
