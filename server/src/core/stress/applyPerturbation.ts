/** One perturbation level applied to an image, and to its reference mask where pixels move. */
import type { BinaryMask, ImageVolume } from '../io';
import { createRandom } from '../util/random';
import { geometricMap, transformImage, transformMask } from './geometricPerturbations';
import { addGaussianNoise, gaussianBlur, reduceContrast, shiftBrightness } from './intensityPerturbations';
import { jpegRoundTrip } from './jpegPerturbation';
import { PERTURBATION_DESIGNS, type PerturbationLevel } from './perturbations';

/** The perturbed image; `seed` drives the noise (other kinds ignore it). Strength 0 is the image itself. */
export async function perturbImage(v: ImageVolume, level: PerturbationLevel, seed: number): Promise<ImageVolume> {
  if (level.strength === 0) return v;
  switch (level.kind) {
    case 'gaussian_noise':
      return addGaussianNoise(v, level.strength, createRandom(seed));
    case 'blur':
      return gaussianBlur(v, level.strength);
    case 'contrast':
      return reduceContrast(v, level.strength);
    case 'brightness':
      return shiftBrightness(v, level.strength);
    case 'jpeg':
      return jpegRoundTrip(v, 100 - level.strength);
    case 'rotation':
    case 'flip':
      return transformImage(v, geometricMap(level, v.width, v.height));
  }
}

/** The reference as the perturbed image shows it: moved for rotation and flips, unchanged otherwise. */
export function perturbReference(mask: BinaryMask, level: PerturbationLevel): BinaryMask {
  if (level.strength === 0 || !PERTURBATION_DESIGNS[level.kind].geometric) return mask;
  return transformMask(mask, geometricMap(level, mask.width, mask.height));
}
