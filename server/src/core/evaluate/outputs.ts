/**
 * Files of one evaluated case (RESULTS.md): `masks/<method>/<id>.png` (0/255) and
 * `prob/<model>/<id>.png` (16-bit); NIfTI volumes get `.nii.gz` with the reference's header and
 * float32 probabilities. Ids with `/` (KiTS: `case_00000/imaging`) become sub-folders.
 */
import { join } from 'node:path';
import { errorMap, errorMapRgba } from '../fusion';
import { encodeMaskPng, encodeNifti, encodePng, encodeProbabilityPng, writeFileAtomic, type BinaryMask, type NiftiHeaderInfo } from '../io';

export interface CaseGeometry {
  width: number;
  height: number;
  depth: number;
  spacing: [number, number, number];
  spacingKnown: boolean;
  /** Present for NIfTI references evaluated as volumes. */
  nifti?: NiftiHeaderInfo;
}

export function outputExtension(g: CaseGeometry): string {
  return g.nifti && g.depth > 1 ? '.nii.gz' : '.png';
}

/** The folder of a method: its name (RESULTS.md), with `:` replaced on Windows where it is not allowed. */
export function methodFolder(method: string): string {
  return process.platform === 'win32' ? method.replace(/:/g, '_') : method;
}

/** A file name for an id that is safe on every file system we write to. */
export function idToRelativePath(id: string): string {
  return id
    .split('/')
    .map((part) => part.replace(/[<>:"\\|?*\x00-\x1f]/g, '_'))
    .join('/');
}

export async function writeMaskFile(root: string, method: string, id: string, g: CaseGeometry, mask: Uint8Array): Promise<string> {
  const rel = join('masks', methodFolder(method), idToRelativePath(id) + outputExtension(g));
  const path = join(root, rel);
  if (g.nifti && g.depth > 1) {
    await writeFileAtomic(path, encodeNifti({ width: g.width, height: g.height, depth: g.depth, data: mask, spacing: g.spacing }, { like: g.nifti, gzip: true }));
  } else {
    const m: BinaryMask = { width: g.width, height: g.height, depth: 1, data: mask, spacing: g.spacing, spacingKnown: g.spacingKnown };
    await writeFileAtomic(path, await encodeMaskPng(m));
  }
  return rel;
}

export async function writeProbabilityFile(root: string, model: string, id: string, g: CaseGeometry, q: Uint16Array): Promise<string> {
  const rel = join('prob', methodFolder(model), idToRelativePath(id) + outputExtension(g));
  const path = join(root, rel);
  const prob = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) prob[i] = q[i] / 65535;
  if (g.nifti && g.depth > 1) {
    await writeFileAtomic(path, encodeNifti({ width: g.width, height: g.height, depth: g.depth, data: prob, spacing: g.spacing }, { like: g.nifti, gzip: true }));
  } else {
    await writeFileAtomic(path, await encodeProbabilityPng(prob, g.width, g.height));
  }
  return rel;
}

/**
 * `errors/<method>/<id>.png`: TP / FP (type I) / FN (type II) in colour-blind-safe colours on a
 * transparent background (TN), ready to lay over the image; volumes get a NIfTI label map
 * (0 TN, 1 TP, 2 FP, 3 FN) with the reference's header.
 */
export async function writeErrorMapFile(root: string, method: string, id: string, g: CaseGeometry, ref: Uint8Array, pred: Uint8Array): Promise<string> {
  const rel = join('errors', methodFolder(method), idToRelativePath(id) + outputExtension(g));
  const path = join(root, rel);
  const labels = errorMap(ref, pred);
  if (g.nifti && g.depth > 1) {
    await writeFileAtomic(path, encodeNifti({ width: g.width, height: g.height, depth: g.depth, data: labels, spacing: g.spacing }, { like: g.nifti, gzip: true }));
  } else {
    await writeFileAtomic(path, await encodePng(errorMapRgba(labels, g.width, g.height), g.width, g.height, 4));
  }
  return rel;
}
