/**
 * What a fusion changes relative to one of its members, judged against the reference: the errors
 * of the member it fixes and the correct pixels it breaks, by error type. This is what shows
 * whether, say, a union really trades type II errors for type I ones on a given image.
 */
import { checkPair } from './masks';

/** Labels of a change map. */
export const CHANGE_LABEL = { unchanged: 0, fixedFp: 1, fixedFn: 2, brokenFp: 3, brokenFn: 4 } as const;

export interface FusionChanges {
  /** Member false positive (type I) that the fusion makes background. */
  fixedFp: number;
  /** Member false negative (type II) that the fusion makes foreground. */
  fixedFn: number;
  /** Background the member had right and the fusion makes foreground (a new type I error). */
  brokenFp: number;
  /** Foreground the member had right and the fusion makes background (a new type II error). */
  brokenFn: number;
  /** One CHANGE_LABEL per pixel, when asked for. */
  map?: Uint8Array;
}

/** Indexed by 4·ref + 2·member + fused. */
const CHANGE_OF_TRIPLE = Uint8Array.of(
  CHANGE_LABEL.unchanged, // ref 0, member 0, fused 0
  CHANGE_LABEL.brokenFp, // ref 0, member 0, fused 1
  CHANGE_LABEL.fixedFp, // ref 0, member 1, fused 0
  CHANGE_LABEL.unchanged, // ref 0, member 1, fused 1: still FP
  CHANGE_LABEL.unchanged, // ref 1, member 0, fused 0: still FN
  CHANGE_LABEL.fixedFn, // ref 1, member 0, fused 1
  CHANGE_LABEL.brokenFn, // ref 1, member 1, fused 0
  CHANGE_LABEL.unchanged, // ref 1, member 1, fused 1
);

export function fusionChanges(ref: Uint8Array, member: Uint8Array, fused: Uint8Array, options: { map?: boolean } = {}): FusionChanges {
  checkPair(ref, member, 'fusionChanges', ['reference', 'member']);
  checkPair(ref, fused, 'fusionChanges', ['reference', 'fused mask']);
  const counts = [0, 0, 0, 0, 0];
  const map = options.map ? new Uint8Array(ref.length) : undefined;
  for (let i = 0; i < ref.length; i++) {
    const change = CHANGE_OF_TRIPLE[(ref[i] === 0 ? 0 : 4) + (member[i] === 0 ? 0 : 2) + (fused[i] === 0 ? 0 : 1)];
    counts[change]++;
    if (map) map[i] = change;
  }
  const result: FusionChanges = {
    fixedFp: counts[CHANGE_LABEL.fixedFp],
    fixedFn: counts[CHANGE_LABEL.fixedFn],
    brokenFp: counts[CHANGE_LABEL.brokenFp],
    brokenFn: counts[CHANGE_LABEL.brokenFn],
  };
  if (map) result.map = map;
  return result;
}
