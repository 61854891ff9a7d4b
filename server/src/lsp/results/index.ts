/**
 * The last run's results as the files RESULTS.md defines them (`summary.json`, `per_image.csv`
 * under `<output>/<name>/`, and `stress.json` shaped as the report's stress section), read back for
 * the client, inlay hints and the preview. Reads of summary.json and per_image.csv are cached by
 * modification time: hints are asked for on every scroll.
 */
import { stat } from 'node:fs/promises';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PerImageRowData, ResultsData } from '../../protocol';
import type { MedsegConfig } from '../../core/config';
import { METRIC_NAMES } from '../../core/config/types';
import { readCsvTable } from '../../core/dataset';
import { reportStressSection } from '../../core/report/stressSection';
import { resultsFolderOf } from '../../core/results/resultPath';
import { regionFolder } from '../../core/results/regionResults';
import { regionView } from '../../core/evaluate/regionView';

/**
 * The results folder the editor shows: the run's, or for a region evaluation (`dataset.regions`)
 * its first region's, `regions/<name>/`, which is a binary results folder like any other (the
 * report.html at the top has every region).
 */
export function resultsDirOf(config: MedsegConfig): string {
  const top = resultsFolderOf(config);
  const first = config.dataset.regions?.[0];
  return first ? regionFolder(top, first.name) : top;
}

/** The config the editor reads those results with: for a region evaluation, its first region as a binary experiment. */
export function shownConfig(config: MedsegConfig): MedsegConfig {
  const first = config.dataset.regions?.[0];
  return first ? regionView(config, first) : config;
}

interface Cached<T> {
  stamp: string;
  value: T;
}

const summaries = new Map<string, Cached<Record<string, unknown> | undefined>>();
const perImage = new Map<string, Cached<PerImageRowData[]>>();

async function stampOf(file: string): Promise<string | undefined> {
  try {
    const s = await stat(file);
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return undefined;
  }
}

/** `summary.json` of a results folder, or undefined when there is none (or it is not JSON). */
export async function readSummary(dir: string): Promise<Record<string, unknown> | undefined> {
  const file = join(dir, 'summary.json');
  const stamp = await stampOf(file);
  if (stamp === undefined) return undefined;
  const cached = summaries.get(file);
  if (cached?.stamp === stamp) return cached.value;
  let value: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    value = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    value = undefined; // being written by another run, or edited by hand: no summary for now
  }
  summaries.set(file, { stamp, value });
  return value;
}

/** Rows of `per_image.csv` (empty when there is none). */
export async function readPerImageRows(dir: string): Promise<PerImageRowData[]> {
  const file = join(dir, 'per_image.csv');
  const stamp = await stampOf(file);
  if (stamp === undefined) return [];
  const cached = perImage.get(file);
  if (cached?.stamp === stamp) return cached.value;
  let rows: PerImageRowData[] = [];
  try {
    const table = await readCsvTable(file);
    const col = (name: string) => table.header.indexOf(name);
    const [idCol, splitCol, methodCol, sourceCol] = [col('image_id'), col('split'), col('method'), col('source')];
    const metricCols = METRIC_NAMES.map((m) => [m, col(m)] as const).filter(([, i]) => i >= 0);
    rows = table.rows.map((r) => {
      const metrics: Record<string, number | undefined> = {};
      for (const [m, i] of metricCols) {
        const cell = r.cells[i];
        metrics[m] = cell === undefined || cell === '' ? undefined : Number(cell);
      }
      const source = sourceCol >= 0 ? r.cells[sourceCol] : undefined;
      return { imageId: r.cells[idCol] ?? '', split: r.cells[splitCol] ?? '', method: r.cells[methodCol] ?? '', metrics, ...(source ? { source } : {}) };
    });
  } catch {
    rows = [];
  }
  perImage.set(file, { stamp, value: rows });
  return rows;
}

export async function readResults(config: MedsegConfig): Promise<ResultsData | null> {
  const outputDir = resultsDirOf(config);
  const summary = await readSummary(outputDir);
  if (!summary) return null;
  const methods = summary.methods && typeof summary.methods === 'object' ? Object.keys(summary.methods) : [];
  const shown = { experiment: String(summary.experiment ?? config.name), split: String(summary.split ?? ''), methods };
  const [rows, stress] = await Promise.all([readPerImageRows(outputDir), reportStressSection(outputDir, shown)]);
  return { outputDir, summary, rows, ...(stress ? { stress } : {}) };
}

/** The split the results folder's evaluation ran on (`summary.json` `split`), when there is one. */
export function evaluatedSplitOf(summary: Record<string, unknown> | undefined): string | undefined {
  return typeof summary?.split === 'string' ? summary.split : undefined;
}

/**
 * The model with the highest mean Dice in a summary (config order breaks ties): the one whose
 * per-image Dice orders images worst first, in the image list and the preview's "next worst".
 */
export function bestModelOf(config: MedsegConfig, summary: Record<string, unknown> | undefined): string | undefined {
  let best: { name: string; mean: number } | undefined;
  for (const m of config.models) {
    const mean = meanMetricOf(summary, m.name)?.mean;
    if (mean !== undefined && (!best || mean > best.mean)) best = { name: m.name, mean };
  }
  return best?.name;
}

/** Mean of a metric per method, from a summary.json (RESULTS.md: `methods.<name>.metrics.<metric>.mean`). */
export function meanMetricOf(summary: Record<string, unknown> | undefined, method: string, metric = 'dice'): { mean: number; ci95?: [number, number]; n?: number } | undefined {
  const methods = summary?.methods as Record<string, { n?: number; metrics?: Record<string, { mean?: number | null; ci95?: [number, number] | null }> }> | undefined;
  const m = methods?.[method]?.metrics?.[metric];
  if (typeof m?.mean !== 'number') return undefined;
  return { mean: m.mean, ...(Array.isArray(m.ci95) ? { ci95: m.ci95 } : {}), ...(typeof methods?.[method]?.n === 'number' ? { n: methods[method].n } : {}) };
}
