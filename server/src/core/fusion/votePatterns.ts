/**
 * Groups pixels by their vote pattern: the k-bit number whose bit j is set where mask j votes
 * foreground. STAPLE's E-step only depends on this pattern, so an EM iteration over the occupied
 * patterns (at most 2^k, in practice a few dozen) gives exactly the per-pixel result.
 */
import { checkSameLength } from './masks';

/** Above this many raters a pattern table (2^k entries) no longer pays; fall back to pixels. */
export const MAX_PATTERN_RATERS = 16;

export interface VotePatterns {
  /** Pattern id per pixel. */
  patternOfPixel: Uint16Array;
  /** The occupied pattern ids, ascending. */
  patterns: Uint16Array;
  /** Pixels per occupied pattern. */
  counts: Float64Array;
  /** `votes[j][u]` = bit j of `patterns[u]`: the layout the EM kernel reads. */
  votes: Uint8Array[];
}

export function countVotePatterns(masks: readonly Uint8Array[]): VotePatterns {
  const length = checkSameLength(masks, 'countVotePatterns');
  const k = masks.length;
  if (k > MAX_PATTERN_RATERS) throw new RangeError(`countVotePatterns: ${k} masks, at most ${MAX_PATTERN_RATERS}`);
  const patternOfPixel = new Uint16Array(length);
  for (let j = 0; j < k; j++) {
    const mask = masks[j];
    const bit = 1 << j;
    for (let i = 0; i < length; i++) if (mask[i] !== 0) patternOfPixel[i] |= bit;
  }
  const pixelsPerId = new Float64Array(1 << k);
  for (let i = 0; i < length; i++) pixelsPerId[patternOfPixel[i]]++;

  let occupied = 0;
  for (let id = 0; id < pixelsPerId.length; id++) if (pixelsPerId[id] > 0) occupied++;
  const patterns = new Uint16Array(occupied);
  const counts = new Float64Array(occupied);
  const votes = Array.from({ length: k }, () => new Uint8Array(occupied));
  let u = 0;
  for (let id = 0; id < pixelsPerId.length; id++) {
    if (pixelsPerId[id] === 0) continue;
    patterns[u] = id;
    counts[u] = pixelsPerId[id];
    for (let j = 0; j < k; j++) votes[j][u] = (id >> j) & 1;
    u++;
  }
  return { patternOfPixel, patterns, counts, votes };
}
