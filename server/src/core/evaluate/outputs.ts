/**
 * Files of one evaluated case (RESULTS.md): `masks/<method>/<id>.png` (0/255) and
 * `prob/<model>/<id>.png` (16-bit); NIfTI volumes get `.nii.gz` with the reference's header and
 * float32 probabilities. File names come from results/fileNames (ids escaped, paths checked to stay
 * inside the results folder).
 */
import { ERROR_PALETTE, errorMap } from '../fusion';
import { encodeMaskPng, encodeNifti, encodePalettePng, encodeQuantisedProbabilityPng, linkFileAtomic, writeFileAtomic, type BinaryMask, type NiftiHeaderInfo } from '../io';
import { caseFilePath } from '../results/fileNames';
import type { StoredPng } from '../results/predictionCache';

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

export { idToRelativePath, methodFolder } from '../results/fileNames';

export async function writeMaskFile(root: string, method: string, id: string, g: CaseGeometry, mask: Uint8Array): Promise<string> {
  const path = caseFilePath(root, 'masks', method, id, outputExtension(g));
  if (g.nifti && g.depth > 1) {
    await writeFileAtomic(path, encodeNifti({ width: g.width, height: g.height, depth: g.depth, data: mask, spacing: g.spacing }, { like: g.nifti, gzip: true }));
  } else {
    const m: BinaryMask = { width: g.width, height: g.height, depth: 1, data: mask, spacing: g.spacing, spacingKnown: g.spacingKnown };
    await writeFileAtomic(path, await encodeMaskPng(m));
  }
  return path;
}

/**
 * `prob/<model>/<id>.png`. A PNG the prediction cache already holds is hard-linked (no second
 * encode or copy); where linking is impossible its bytes are written.
 */
export async function writeProbabilityFile(root: string, model: string, id: string, g: CaseGeometry, q: Uint16Array, stored?: StoredPng): Promise<string> {
  const path = caseFilePath(root, 'prob', model, id, outputExtension(g));
  if (g.nifti && g.depth > 1) {
    const prob = new Float32Array(q.length);
    for (let i = 0; i < q.length; i++) prob[i] = q[i] / 65535;
    await writeFileAtomic(path, encodeNifti({ width: g.width, height: g.height, depth: g.depth, data: prob, spacing: g.spacing }, { like: g.nifti, gzip: true }));
  } else if (!(stored?.path && (await linkFileAtomic(stored.path, path)))) {
    await writeFileAtomic(path, stored?.bytes ?? (await encodeQuantisedProbabilityPng(q, g.width, g.height)));
  }
  return path;
}

/**
 * `errors/<method>/<id>.png`: TP / FP (type I) / FN (type II) in colour-blind-safe colours on a
 * transparent background (TN), ready to lay over the image — an indexed PNG whose palette indices
 * are the labels (0 TN, 1 TP, 2 FP, 3 FN) at 2 bits per pixel; volumes get a NIfTI label map with
 * the same labels and the reference's header.
 */
export async function writeErrorMapFile(root: string, method: string, id: string, g: CaseGeometry, ref: Uint8Array, pred: Uint8Array): Promise<string> {
  const path = caseFilePath(root, 'errors', method, id, outputExtension(g));
  const labels = errorMap(ref, pred);
  if (g.nifti && g.depth > 1) {
    await writeFileAtomic(path, encodeNifti({ width: g.width, height: g.height, depth: g.depth, data: labels, spacing: g.spacing }, { like: g.nifti, gzip: true }));
  } else {
    await writeFileAtomic(path, await encodePalettePng(labels, g.width, g.height, ERROR_PALETTE));
  }
  return path;
}
