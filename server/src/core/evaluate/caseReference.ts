/**
 * A case's reference mask and image bytes, read together and checked against each other before
 * any model sees the case: a mask the foreground rule cannot read, or one at another size than its
 * image, is an InputError (the same codes and words as validation), so the case is reported and
 * skipped instead of scored against a misaligned or empty reference. The image is not decoded:
 * its size comes from its header, so a fully cached case still decodes nothing.
 */
import type { DatasetCase } from '../dataset/types';
import { readFileBytes, readImageSize, readMask, type BinaryMask, type ForegroundRule } from '../io';
import { maskFitError } from '../scan/maskFit';

export interface CaseReference {
  ref: BinaryMask;
  /** The image file's bytes (hashed for the prediction cache). */
  imageBytes: Buffer;
}

export async function readCaseReference(c: DatasetCase, foreground: ForegroundRule): Promise<CaseReference> {
  const [ref, imageBytes] = await Promise.all([readMask(c.mask!, foreground, { slice: c.slice }), readFileBytes(c.image)]);
  const misfit = maskFitError(c, await readImageSize(c.image, { slice: c.slice, bytes: imageBytes }), ref);
  if (misfit) throw misfit;
  return { ref, imageBytes };
}
