/**
 * clDice (Shit et al., "clDice – a Novel Topology-Preserving Loss Function for Tubular Structure
 * Segmentation", CVPR 2021): the harmonic mean of topology precision |S(P) ∩ R| / |S(P)| and
 * topology sensitivity |S(R) ∩ P| / |S(R)|, S being the skeleton: Zhang–Suen in 2D (skeleton.ts),
 * Lee's thinning for volumes (skeleton3d.ts), as scikit-image's `skeletonize` chooses.
 */
import type { GridSize } from './distance';
import { skeletonPixels2d } from './skeleton';
import { skeletonVoxels3d } from './skeleton3d';
import type { UnionBox } from './surface';

/**
 * 1 when both masks are empty, 0 when exactly one is (RESULTS.md); undefined when a non-empty
 * mask has an empty skeleton (its precision or sensitivity would be 0/0).
 */
export function clDice(ref: Uint8Array, pred: Uint8Array, size: GridSize, union?: UnionBox): number | undefined {
  const [width, height, depth] = size;
  const count = width * height * depth;
  if (ref.length !== count || pred.length !== count) {
    throw new RangeError(`clDice: a ${width}×${height}×${depth} grid needs ${count} pixels, got ${ref.length} and ${pred.length}`);
  }
  const refAny = union ? union.refAny : ref.some((v) => v !== 0);
  const predAny = union ? union.predAny : pred.some((v) => v !== 0);
  if (!refAny && !predAny) return 1;
  if (!refAny || !predAny) return 0;
  const skeleton = (mask: Uint8Array) => (depth > 1 ? skeletonVoxels3d(mask, width, height, depth) : skeletonPixels2d(mask, width, height, union?.box));
  const refSkeleton = skeleton(ref);
  const predSkeleton = skeleton(pred);
  if (refSkeleton.length === 0 || predSkeleton.length === 0) return undefined;
  const precision = fractionInside(predSkeleton, ref);
  const sensitivity = fractionInside(refSkeleton, pred);
  return precision + sensitivity === 0 ? 0 : (2 * precision * sensitivity) / (precision + sensitivity);
}

function fractionInside(skeleton: Int32Array, mask: Uint8Array): number {
  let inside = 0;
  for (let j = 0; j < skeleton.length; j++) if (mask[skeleton[j]] !== 0) inside++;
  return inside / skeleton.length;
}
