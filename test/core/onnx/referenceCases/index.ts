/** Every cross-check case of the float64 reference, by op family (shared by the reference and gradient tests). */
import type { OpCase } from '../reference/onnxCase';
import { activationCases } from './activation';
import { convCases } from './conv';
import { elementwiseCases } from './elementwise';
import { indexingCases } from './indexing';
import { normalizationCases } from './normalization';
import { poolCases } from './pool';
import { matmulCases, reduceCases } from './reduce';
import { resizeCases } from './resize';
import { shapeCases } from './shape';

export const caseFamilies: Record<string, readonly OpCase[]> = {
  conv: convCases,
  pool: poolCases,
  elementwise: elementwiseCases,
  activation: activationCases,
  normalization: normalizationCases,
  shape: shapeCases,
  indexing: indexingCases,
  reduce: reduceCases,
  matmul: matmulCases,
  resize: resizeCases,
};

/** Seeds differ per case (from its name) so that no two cases share their random inputs. */
export function seedOf(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return h >>> 0;
}
