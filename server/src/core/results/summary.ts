/**
 * `summary.json` (RESULTS.md): what was run, and per method the per-metric summaries, the pooled
 * metrics over all pixels, and the breakdown per clinical label. Later stages (comparisons,
 * selection, split diagnostics) add their sections to the same object.
 */
import type { MetricName } from '../config/types';
import type { ProviderAttempt } from '../inference';
import { PooledCounts, summarizeByGroup, summarizeMetric, type MetricSummary } from '../metrics';
import type { PerImageTable } from './perImageTable';

export interface MethodSummary {
  kind: 'model' | 'fusion';
  family?: string;
  /** Images evaluated. */
  n: number;
  /** Per metric, how many images had it undefined (RESULTS.md rules). */
  excluded: Partial<Record<MetricName, number>>;
  metrics: Partial<Record<MetricName, MetricSummary>>;
  /** Metrics of the confusion counts summed over every pixel of the split; `auroc` over all pixels. */
  pooled: { dice?: number; iou?: number; sensitivity?: number; specificity?: number; precision?: number; auroc?: number };
  /** Per label column, per label value: the summary of every metric. */
  by_label: Record<string, Record<string, Partial<Record<MetricName, MetricSummary>>>>;
  /** Pooled ROC curve over every pixel (methods with probability maps), at most 200 points. */
  roc?: { fpr: number[]; tpr: number[] };
}

/**
 * Keys are snake_case, as RESULTS.md names them (`p_adjusted`, `best_method`, …), so Python and R
 * readers see one convention.
 */
export interface EvaluationSummary {
  experiment: string;
  time: string;
  engine_version: string;
  config: string;
  split: string;
  shard?: { index: number; count: number };
  provider: { used: string; attempts: ProviderAttempt[] } | undefined;
  seeds: { bootstrap: number };
  bootstrap: number;
  images: number;
  /** Per model: where it came from, its hash, the graph output read (ONNX), and how many inferences this run did (0 = all cached). */
  models: Record<string, { family: string; source?: string; sha256?: string; output?: string; train_size?: number; inferences: number }>;
  image_list_sha256: string;
  methods: Record<string, MethodSummary>;
  failures: { image_id: string; method?: string; code: string; message: string }[];
  /**
   * Models of the config that this run did not evaluate at all (unreadable file, a graph the config
   * does not fit, a provider asked for but missing), with the code and message of their finding.
   * Summaries written before this field existed lack it: read it as `[]`.
   */
  skipped_models?: SkippedModel[];
  [section: string]: unknown;
}

export interface SkippedModel {
  name: string;
  code: string;
  reason: string;
}

export interface SummaryInput {
  table: PerImageTable;
  methods: readonly { name: string; kind: 'model' | 'fusion'; family?: string }[];
  metrics: readonly MetricName[];
  pooled: ReadonlyMap<string, PooledCounts>;
  labelsOf: (imageId: string) => Record<string, string>;
  labelColumns: readonly string[];
  bootstrap: number;
  seed: number;
}

export function summarizeMethods(input: SummaryInput): Record<string, MethodSummary> {
  const options = { bootstrap: input.bootstrap, seed: input.seed };
  const out: Record<string, MethodSummary> = {};
  const ids = input.table.imageIds;
  for (const method of input.methods) {
    // The method's rows in image order; an undefined metric is NaN, which the summaries exclude.
    const present = input.table.presence(method.name);
    const images: number[] = [];
    for (let i = 0; i < present.length; i++) if (present[i]) images.push(i);
    const groupsOf = input.labelColumns.map((column) => images.map((i) => input.labelsOf(ids[i])[column]));
    const metrics: MethodSummary['metrics'] = {};
    const excluded: MethodSummary['excluded'] = {};
    const byLabel: MethodSummary['by_label'] = {};
    for (const metric of input.metrics) {
      const column = input.table.column(method.name, metric);
      const values = images.map((i) => column[i]);
      const s = summarizeMetric(values, options);
      metrics[metric] = s;
      excluded[metric] = s.excluded;
      input.labelColumns.forEach((labelColumn, c) => {
        const perValue = summarizeByGroup(values, groupsOf[c], options);
        for (const [value, summary] of Object.entries(perValue)) {
          ((byLabel[labelColumn] ??= {})[value] ??= {})[metric] = summary;
        }
      });
    }
    const pooled = input.pooled.get(method.name);
    const overlap = pooled?.overlap();
    out[method.name] = {
      kind: method.kind,
      family: method.family,
      n: images.length,
      excluded,
      metrics,
      pooled: {
        dice: overlap?.dice,
        iou: overlap?.iou,
        sensitivity: overlap?.sensitivity,
        specificity: overlap?.specificity,
        precision: overlap?.precision,
        auroc: pooled?.auroc(),
      },
      by_label: byLabel,
      roc: rocOf(pooled),
    };
  }
  return out;
}

/** JSON.stringify's replacer of every results file: a non-finite number (NaN, ±Infinity) is null. */
export const nonFiniteAsNull = (_key: string, v: unknown): unknown => (typeof v === 'number' && !Number.isFinite(v) ? null : v);

/** A results JSON file (summary.json, stress.json, …): undefined dropped, non-finite numbers null, keys in insertion order. */
export function formatResultsJson(value: unknown): string {
  return JSON.stringify(value, nonFiniteAsNull, 2) + '\n';
}

export function formatSummaryJson(summary: EvaluationSummary): string {
  return formatResultsJson(summary);
}


function rocOf(pooled: PooledCounts | undefined): MethodSummary['roc'] {
  const curve = pooled?.scores?.rocCurve(200);
  if (!curve) return undefined;
  const round = (x: number) => Math.round(x * 1e6) / 1e6;
  return { fpr: curve.fpr.map(round), tpr: curve.tpr.map(round) };
}
