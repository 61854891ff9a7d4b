/**
 * Pixel-wise voting fusions (RESULTS.md "Fusion conventions"). Any non-zero byte is a foreground
 * vote, as in computeConfusion, so a stray 255 cannot change the outcome. Each kernel is one pass
 * over the pixels with the k votes of a pixel counted in a register.
 */
import { checkSameLength } from './masks';

/** M1 ∨ … ∨ Mk: a pixel is foreground where any model says so (trades type I for fewer type II errors). */
export function fuseUnion(masks: readonly Uint8Array[]): Uint8Array {
  return fuseByVotes(masks, 'fuseUnion', 1);
}

/** M1 ∧ … ∧ Mk: foreground only where every model agrees (trades type II for fewer type I errors). */
export function fuseIntersection(masks: readonly Uint8Array[]): Uint8Array {
  return fuseByVotes(masks, 'fuseIntersection', masks.length);
}

/** Foreground where more than half of the k masks say so; with k even a tie is background. */
export function fuseMajority(masks: readonly Uint8Array[]): Uint8Array {
  return fuseByVotes(masks, 'fuseMajority', Math.floor(masks.length / 2) + 1);
}

/** Foreground where at least `needed` of the masks vote foreground. */
function fuseByVotes(masks: readonly Uint8Array[], caller: string, needed: number): Uint8Array {
  const length = checkSameLength(masks, caller);
  const k = masks.length;
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    let votes = 0;
    for (let j = 0; j < k; j++) if (masks[j][i] !== 0) votes++;
    out[i] = votes >= needed ? 1 : 0;
  }
  return out;
}
