/**
 * The results of a region evaluation (`dataset.regions`, RESULTS.md "Further metrics and
 * regions"): each region's complete binary results folder under `regions/<name>/`, and at the top
 * a per_image.csv with a `region` column after `method` (rows by image id, then region in config
 * order, then method) and a summary.json keyed by region.
 */
import type { MetricName, RegionConfig } from '../config/types';
import { formatPerImageRow, perImageHeader } from './perImage';
import type { PerImageTable } from './perImageTable';
import { resultPath } from './resultPath';
import type { EvaluationSummary, SkippedModel } from './summary';

export const REGIONS_FOLDER = 'regions';

/** `<output>/regions/<name>`: a region's own results folder. */
export function regionFolder(outputDir: string, region: string): string {
  return resultPath(outputDir, REGIONS_FOLDER, region);
}

export interface RegionTable {
  region: string;
  table: PerImageTable;
  /** Methods in the order their rows are written (models in config order, then fusions). */
  methodOrder: readonly string[];
}

/** The header with `region` after `method`. */
export function regionPerImageHeader(further: readonly MetricName[]): string[] {
  const header = perImageHeader(further);
  header.splice(header.indexOf('method') + 1, 0, 'region');
  return header;
}

/**
 * The top per_image.csv as chunks: every region's rows, by image id, then region, then method.
 * Further-metric columns are the union of the regions' (they share evaluation.metrics).
 */
export function* regionPerImageCsvChunks(tables: readonly RegionTable[], chunkChars = 1 << 20): Generator<string> {
  const further = tables[0]?.table.furtherMetrics ?? [];
  const ids = new Set<string>();
  for (const t of tables) for (const id of t.table.imageIds) ids.add(id);
  const sorted = [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const methodsOf = tables.map((t) => [...t.methodOrder.filter((m) => t.table.methods.includes(m)), ...t.table.methods.filter((m) => !t.methodOrder.includes(m))]);
  let chunk = regionPerImageHeader(further).join(',') + '\n';
  for (const id of sorted) {
    for (let k = 0; k < tables.length; k++) {
      const t = tables[k];
      const image = t.table.findImage(id);
      if (image === undefined) continue;
      for (const method of methodsOf[k]) {
        const row = t.table.row(method, image);
        if (row) chunk += formatPerImageRow(row, further, t.region) + '\n';
      }
    }
    if (chunk.length >= chunkChars) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

export interface RegionSummaryEntry {
  region: RegionConfig;
  summary: EvaluationSummary;
}

/** summary.json of a region evaluation: the run's facts, then each region's whole summary under `regions.<name>`. */
export interface RegionsSummary extends Pick<EvaluationSummary, 'experiment' | 'time' | 'engine_version' | 'config' | 'split' | 'shard'> {
  /** Images evaluated in any region. */
  images: number;
  regions: Record<string, { labels: number[]; nsd_tolerance?: number; folder: string } & EvaluationSummary>;
  /** Every region's failures, each naming its region. */
  failures: (EvaluationSummary['failures'][number] & { region: string })[];
  /** Models skipped in some region, each naming the region. */
  skipped_models: (SkippedModel & { region: string })[];
}

export function regionsSummary(experiment: string, entries: readonly RegionSummaryEntry[], images: number): RegionsSummary {
  const first = entries[0]?.summary;
  if (!first) throw new Error('regionsSummary: no region');
  return {
    experiment,
    time: first.time,
    engine_version: first.engine_version,
    config: first.config,
    split: first.split,
    ...(first.shard ? { shard: first.shard } : {}),
    images,
    regions: Object.fromEntries(
      entries.map((e) => [
        e.region.name,
        { labels: e.region.labels, ...(e.region.nsdTolerance !== undefined ? { nsd_tolerance: e.region.nsdTolerance } : {}), folder: `${REGIONS_FOLDER}/${e.region.name}`, ...e.summary },
      ]),
    ),
    failures: entries.flatMap((e) => e.summary.failures.map((f) => ({ ...f, region: e.region.name }))),
    skipped_models: entries.flatMap((e) => (e.summary.skipped_models ?? []).map((s) => ({ ...s, region: e.region.name }))),
  };
}
