/**
 * One image's pixel AUROC (ties counted half) on the 16-bit score scale of RESULTS.md. A
 * 65,536-bin histogram costs ~200k bin visits per image whatever its size (clear, then the
 * cumulative pass), which dominated the metric time of small images (32×32 has 1,024 pixels);
 * so images up to SORT_LIMIT pixels are ranked by sorting their (bin, label) keys instead, and
 * larger ones fill the histogram, linear in pixels plus bins. Both give the same exact value.
 */
import { ScoreHistogram, scoreBin } from './auroc';

/** Up to this many pixels sorting n keys is cheaper than visiting 65,536 bins (measured crossover ≈ 7,000 pixels). */
export const SORT_LIMIT = 4096;

// One per thread (module instance): workers evaluating images in parallel each have their own.
const histogram = new ScoreHistogram();

/**
 * `scores` are probabilities in [0, 1] (Float32Array) or already quantised to round(p × 65535)
 * (Uint16Array); `ref` is non-zero for reference foreground. Undefined without positives or
 * without negatives.
 */
export function imageAuroc(scores: Float32Array | Uint16Array, ref: Uint8Array): number | undefined {
  const n = ref.length;
  if (scores.length !== n) throw new RangeError(`imageAuroc: ${scores.length} scores for ${n} mask pixels`);
  if (n > SORT_LIMIT) {
    histogram.clear();
    if (scores instanceof Uint16Array) histogram.addQuantised(scores, ref);
    else histogram.add(scores, ref);
    return histogram.auroc();
  }
  // key = 2·bin + label: sorted keys group by bin, negatives of a bin before its positives.
  const keys = new Uint32Array(n);
  let nPos = 0;
  if (scores instanceof Uint16Array) {
    for (let i = 0; i < n; i++) {
      const positive = ref[i] !== 0 ? 1 : 0;
      nPos += positive;
      keys[i] = 2 * scores[i] + positive;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const positive = ref[i] !== 0 ? 1 : 0;
      nPos += positive;
      keys[i] = 2 * scoreBin(scores[i]) + positive;
    }
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return undefined;
  keys.sort();
  // Twice the U statistic keeps every term an integer: 2·pos·negBelow + pos·negEqual.
  let twiceU = 0;
  let negativesBelow = 0;
  for (let i = 0; i < n; ) {
    const bin = keys[i] >>> 1;
    let neg = 0;
    let pos = 0;
    for (; i < n && keys[i] >>> 1 === bin; i++) {
      if (keys[i] & 1) pos++;
      else neg++;
    }
    twiceU += pos * (2 * negativesBelow + neg);
    negativesBelow += neg;
  }
  return twiceU / (2 * nPos * nNeg);
}
