/**
 * The one reduction of per-image values into a summary (MONAI's `do_metric_reduction`, done
 * once). Rules: `undefined` and NaN values are excluded and counted in `excluded`; with no value
 * left every statistic is undefined; `std` is the sample standard deviation (ddof = 1, as pandas
 * and R report it), so it is undefined for a single value; `ci95` is a percentile bootstrap of the
 * mean (numpy-style linear quantiles of the resampled means), reproducible for a seed.
 */
import { createRandom } from './random';
import { quantileSorted } from './quantile';

export interface MetricSummary {
  /** Values that entered the statistics. */
  n: number;
  /** Values left out because the metric was undefined for that image. */
  excluded: number;
  mean: number | undefined;
  median: number | undefined;
  /** Sample standard deviation, ddof = 1; undefined when n < 2. */
  std: number | undefined;
  /** Percentile-bootstrap interval of the mean at `confidence` (default 95 %); undefined when n = 0 or bootstrap = 0. */
  ci95: [number, number] | undefined;
}

export interface SummaryOptions {
  /** Bootstrap resamples; 0 skips the interval. */
  bootstrap: number;
  seed: number;
  /** Interval coverage, default 0.95. */
  confidence?: number;
}

export function summarizeMetric(values: readonly (number | undefined)[], options: SummaryOptions): MetricSummary {
  const defined = new Float64Array(values.length);
  let n = 0;
  for (const value of values) {
    if (value !== undefined && !Number.isNaN(value)) defined[n++] = value;
  }
  const excluded = values.length - n;
  if (n === 0) return { n, excluded, mean: undefined, median: undefined, std: undefined, ci95: undefined };
  const sample = defined.subarray(0, n);
  const mean = meanOf(sample);
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (sample[i] - mean) ** 2;
  const sorted = Float64Array.from(sample).sort();
  return {
    n,
    excluded,
    mean,
    median: quantileSorted(sorted, 0.5),
    std: n > 1 ? Math.sqrt(squares / (n - 1)) : undefined,
    ci95: options.bootstrap > 0 ? bootstrapMeanInterval(sample, options) : undefined,
  };
}

/**
 * One summary per group (e.g. per value of a clinical label), keys sorted; images whose group is
 * undefined are left out. Every group uses the same seed, so adding a group changes no other.
 */
export function summarizeByGroup(
  values: readonly (number | undefined)[],
  groups: readonly (string | undefined)[],
  options: SummaryOptions,
): Record<string, MetricSummary> {
  if (values.length !== groups.length) {
    throw new RangeError(`summarizeByGroup: ${values.length} values for ${groups.length} group labels`);
  }
  const byGroup = new Map<string, (number | undefined)[]>();
  for (let i = 0; i < values.length; i++) {
    const group = groups[i];
    if (group === undefined) continue;
    let bucket = byGroup.get(group);
    if (!bucket) byGroup.set(group, (bucket = []));
    bucket.push(values[i]);
  }
  const result: Record<string, MetricSummary> = {};
  for (const group of [...byGroup.keys()].sort()) result[group] = summarizeMetric(byGroup.get(group)!, options);
  return result;
}

function meanOf(sample: Float64Array): number {
  let total = 0;
  for (let i = 0; i < sample.length; i++) total += sample[i];
  return total / sample.length;
}

function bootstrapMeanInterval(sample: Float64Array, options: SummaryOptions): [number, number] {
  const confidence = options.confidence ?? 0.95;
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`summarizeMetric: confidence ${confidence} is not in (0, 1)`);
  const resamples = Math.floor(options.bootstrap);
  const random = createRandom(options.seed);
  const n = sample.length;
  const means = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let total = 0;
    for (let i = 0; i < n; i++) total += sample[Math.floor(random() * n)];
    means[b] = total / n;
  }
  means.sort();
  const tail = (1 - confidence) / 2;
  return [quantileSorted(means, tail), quantileSorted(means, 1 - tail)];
}
