/**
 * Shared input checks for the fusion kernels. Masks of different lengths, or no masks at all, are
 * bugs of the caller (the pipeline resamples every prediction to the reference size first), so
 * they throw rather than become findings.
 */

export function checkSameLength(masks: readonly Uint8Array[], caller: string): number {
  if (masks.length === 0) throw new RangeError(`${caller}: no masks to fuse`);
  const length = masks[0].length;
  for (let j = 1; j < masks.length; j++) {
    if (masks[j].length !== length) {
      throw new RangeError(`${caller}: mask ${j} has ${masks[j].length} pixels, mask 0 has ${length}`);
    }
  }
  return length;
}

export function checkPair(a: Uint8Array, b: Uint8Array, caller: string, names: [string, string]): void {
  if (a.length !== b.length) {
    throw new RangeError(`${caller}: ${names[0]} has ${a.length} pixels, ${names[1]} ${b.length}`);
  }
}
