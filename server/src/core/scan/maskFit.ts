/**
 * One check, one wording, for "the mask is not at its image's size": validation reports it from
 * the scan, and evaluation, stress tests and explanations refuse the case with the same code and
 * message, rather than resampling a prediction onto a mask that may belong to another image.
 */
import type { DatasetCase } from '../dataset/types';
import { InputError, type Finding } from '../findings';
import type { ImageExtent } from '../io/imageSize';

export const MASK_SIZE_MISMATCH = 'image/mask-size-mismatch';

export function sameExtent(a: ImageExtent, b: ImageExtent): boolean {
  return a.width === b.width && a.height === b.height && a.depth === b.depth;
}

function mismatchMessage(image: ImageExtent, mask: ImageExtent): string {
  return (
    `the mask is ${mask.width}×${mask.height}×${mask.depth} but the image is ${image.width}×${image.height}×${image.depth}; masks must have the image's size ` +
    '(re-export the mask, or check that `masks` pairs each image with its own mask). The case is not evaluated: scoring a resampled prediction against it would compare misaligned pixels.'
  );
}

/** The InputError that keeps a case whose mask does not fit its image out of the metrics, if any. */
export function maskFitError(c: Pick<DatasetCase, 'id' | 'mask'>, image: ImageExtent, mask: ImageExtent): InputError | undefined {
  if (sameExtent(image, mask)) return undefined;
  return new InputError(c.mask ?? c.id, mismatchMessage(image, mask), MASK_SIZE_MISMATCH);
}

/** The same check as a validation finding, placed on the mask with the image as related location. */
export function maskFitFinding(c: DatasetCase, image: ImageExtent, mask: ImageExtent, configPath: Finding['configPath']): Finding | undefined {
  if (sameExtent(image, mask)) return undefined;
  return {
    code: MASK_SIZE_MISMATCH,
    severity: 'error',
    message: `${c.id}: ${mismatchMessage(image, mask)}`,
    location: { file: c.mask! },
    related: [{ message: 'the image', location: { file: c.image } }],
    configPath,
  };
}
