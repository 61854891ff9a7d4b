/**
 * The distinct label values of a mask, kept in the scan cache so that validation can say which
 * structures each reference holds (regions never present, labels no region names, a label map
 * read as one foreground) without decoding anything again.
 */
import { colourChannels } from '../io/maskCheck';
import type { ImageVolume } from '../io/types';

/** Distinct non-zero values kept per mask: enough for any label map (TotalSegmentator has 117, MSD ≤ 3, KiTS 3). */
export const MASK_LABELS_CAP = 64;

export interface MaskLabels {
  /**
   * The distinct non-zero values of a grey mask (palette indices, grey saved as RGB), ascending,
   * at most MASK_LABELS_CAP of them (the first met). Absent for a colour mask, which has no labels.
   */
  labels?: number[];
  /** The mask holds more distinct non-zero values than `labels` lists (an anti-aliased or soft mask). */
  moreLabels?: true;
}

/** One pass over the samples; 8/16-bit masks by a seen-table, so a pixel costs a lookup, not a hash. */
export function maskLabels(volume: ImageVolume): MaskLabels {
  const { channels, data } = volume;
  const count = volume.width * volume.height * volume.depth;
  const colour = colourChannels(channels) === 3;
  const found: number[] = [];
  const seenTable = data instanceof Uint8Array ? new Uint8Array(256) : data instanceof Uint16Array ? new Uint8Array(65536) : undefined;
  const seenSet = seenTable ? undefined : new Set<number>();
  let last = 0;
  let more = false;
  for (let i = 0, j = 0; i < count; i++, j += channels) {
    const v = data[j];
    if (colour && (v !== data[j + 1] || v !== data[j + 2])) return {};
    if (v === last || !(v > 0 || v < 0)) continue; // runs of one value are the common case; 0 and NaN are background
    last = v;
    if (seenTable) {
      if (seenTable[v] === 1) continue;
      seenTable[v] = 1;
    } else {
      if (seenSet!.has(v)) continue;
      seenSet!.add(v);
    }
    if (found.length === MASK_LABELS_CAP) {
      more = true;
      if (!colour) break; // a colour mask may still show a coloured pixel further on
      continue;
    }
    found.push(v);
  }
  found.sort((a, b) => a - b);
  return more ? { labels: found, moreLabels: true } : { labels: found };
}
