/**
 * Fusion of one case's model masks (RESULTS.md "Fusion conventions"): union, intersection,
 * majority, STAPLE, then `best` — the per-image winner over the models and those fusions, which
 * needs the reference and is therefore an upper bound, never a deployable model.
 */
import type { FusionName, MetricName } from '../config/types';
import { bestOf, fuseIntersection, fuseMajority, fuseStaple, fuseUnion, fusionChanges } from '../fusion';
import { computeImageMetrics, type ImageMetricOptions, type ImageMetrics, type MaskLike, type PooledCounts } from '../metrics';
import type { FusionChange } from '../results/fusionChanges';

export const FUSION_PREFIX = 'fusion:';

export interface MemberMask {
  model: string;
  mask: Uint8Array;
}

export interface FusedMethod {
  method: string;
  mask: Uint8Array;
  metrics: ImageMetrics;
  /** `fusion:best` only: the method whose mask won. */
  source?: string;
}

export interface CaseFusion {
  fused: FusedMethod[];
  changes: FusionChange[];
  /** STAPLE's estimate of each member's sensitivity and specificity on this case. */
  staple?: { sensitivity: number[]; specificity: number[]; iterations: number; converged: boolean };
}

export function fusionMethodName(f: FusionName): string {
  return FUSION_PREFIX + f;
}

export function fuseCase(
  ref: MaskLike,
  members: readonly MemberMask[],
  modelMetrics: ReadonlyMap<string, ImageMetrics>,
  fusions: readonly FusionName[],
  wanted: readonly MetricName[],
  pooled: ReadonlyMap<string, PooledCounts>,
  metricOptions: Pick<ImageMetricOptions, 'settings' | 'voxelMl'> = {},
): CaseFusion {
  const masks = members.map((m) => m.mask);
  const k = masks.length;
  const votes = new Uint8Array(masks[0].length);
  for (const m of masks) for (let i = 0; i < m.length; i++) if (m[i]) votes[i]++;
  const fused: FusedMethod[] = [];
  const changes: FusionChange[] = [];
  let staple: CaseFusion['staple'];
  for (const f of fusions) {
    if (f === 'best') continue;
    let mask: Uint8Array;
    let score: Float32Array | undefined;
    if (f === 'union') mask = fuseUnion(masks);
    else if (f === 'intersection') mask = fuseIntersection(masks);
    else if (f === 'majority') {
      mask = fuseMajority(masks);
      // The vote fraction is majority's natural score: its AUROC says how well agreement ranks pixels.
      const levels = Float32Array.from({ length: k + 1 }, (_, v) => Math.round((v / k) * 65535) / 65535);
      score = new Float32Array(votes.length);
      for (let i = 0; i < votes.length; i++) score[i] = levels[votes[i]];
    } else {
      const s = fuseStaple(masks);
      mask = s.mask;
      score = new Float32Array(s.posterior.length);
      for (let i = 0; i < score.length; i++) score[i] = Math.round(s.posterior[i] * 65535) / 65535;
      staple = { sensitivity: s.sensitivity, specificity: s.specificity, iterations: s.iterations, converged: s.converged };
    }
    const method = fusionMethodName(f);
    fused.push({ method, mask, metrics: computeImageMetrics(ref, mask, score, wanted, { ...metricOptions, pooled: pooled.get(method) }) });
    for (const member of members) {
      const c = fusionChanges(ref.data, member.mask, mask);
      changes.push({ fusion: method, member: member.model, fixedFp: c.fixedFp, fixedFn: c.fixedFn, brokenFp: c.brokenFp, brokenFn: c.brokenFn });
    }
  }
  if (fusions.includes('best')) {
    const candidates = [
      ...members.map((m) => ({ method: m.model, dice: modelMetrics.get(m.model)?.dice, mask: m.mask, metrics: modelMetrics.get(m.model)! })),
      ...fused.map((f) => ({ method: f.method, dice: f.metrics.dice, mask: f.mask, metrics: f.metrics })),
    ];
    const winner = bestOf(candidates);
    if (winner) {
      const method = fusionMethodName('best');
      // The winner's metrics without its AUROC: the winner changes per image, so no single
      // probability map ranks `best`'s pixels. Its counts go into `best`'s pooled sums.
      const { auroc: _winnerAuroc, ...metrics } = winner.metrics;
      pooled.get(method)?.add(metrics.confusion);
      fused.push({ method, mask: winner.mask, metrics: { ...metrics, confusion: { ...metrics.confusion } }, source: winner.method });
    }
  }
  return { fused, changes, staple };
}
