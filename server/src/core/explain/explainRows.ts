/**
 * `explain/<method>/<model>.csv`: one row per explained image, appended batch by batch as the
 * heatmaps are written, so a run over 10,000 images holds no per-image list in memory and an
 * interrupted run resumes from what it wrote. A row is appended only after its heatmap is in
 * place; a torn last line (a crash mid-append) is cut off on reopening. The row file belongs to
 * one run configuration (`<model>.run.json`: model hash, layer, method, target, …): a run with
 * another configuration starts the file afresh.
 */
import { appendFile, readFile } from 'node:fs/promises';
import { stringify } from 'csv-stringify/sync';
import { writeFileAtomic } from '../io';
import { toWriteError } from '../io/writeErrors';
import { csvRecords, columnIndex } from '../results/csvRecords';
import { methodFolder } from '../results/fileNames';
import { resultPath } from '../results/resultPath';
import type { ExplainedImage } from './explainReport';

/** Columns of the row file, in order. */
export const EXPLAIN_ROW_COLUMNS = [
  'image_id',
  'split',
  'slice',
  'heatmap',
  'heat_max',
  'target_pixels',
  'dice',
  'inside_reference',
  'inside_prediction',
  'inside_fp',
  'inside_fn',
  'gradient',
  'epsilon',
  'relative_step',
  'explained_variance',
  'seconds',
] as const;

/** What a row file was made with; rows are reused only by a run with the same. */
export interface ExplainRunFingerprint {
  engine_version: string;
  method: string;
  model: string;
  model_sha256: string;
  layer: string;
  target: string;
  gradients: string;
  split: string;
  /** Settings of the method that change its maps (saliency samples, steps, seed). */
  settings?: Record<string, number>;
}

export interface ExplainRowFiles {
  rows: string;
  run: string;
}

export function explainRowFiles(outputDir: string, method: string, model: string): ExplainRowFiles {
  const base = methodFolder(model);
  return { rows: resultPath(outputDir, 'explain', method, `${base}.csv`), run: resultPath(outputDir, 'explain', method, `${base}.run.json`) };
}

const FIX = 'run `medseg explain` again (it rewrites the file)';

function cell(value: number | string | null | undefined): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'number' ? String(value) : value;
}

function toRecord(row: ExplainedImage): string[] {
  const fields = row as unknown as Record<string, number | string | null | undefined>;
  return EXPLAIN_ROW_COLUMNS.map((c) => cell(c === 'image_id' ? row.id : fields[c]));
}

function numberOrNull(text: string): number | null {
  return text === '' ? null : Number(text);
}

function fromRecord(record: readonly string[], at: Map<string, number>): ExplainedImage {
  const get = (c: string) => record[at.get(c)!] ?? '';
  const optional = (c: string) => (get(c) === '' ? undefined : Number(get(c)));
  const row: ExplainedImage = {
    id: get('image_id'),
    split: get('split'),
    heatmap: get('heatmap'),
    heat_max: Number(get('heat_max')),
    target_pixels: Number(get('target_pixels')),
    dice: Number(get('dice')),
    inside_reference: numberOrNull(get('inside_reference')),
    inside_prediction: numberOrNull(get('inside_prediction')),
    inside_fp: numberOrNull(get('inside_fp')),
    inside_fn: numberOrNull(get('inside_fn')),
    seconds: Number(get('seconds')),
  };
  const slice = optional('slice');
  if (slice !== undefined) row.slice = slice;
  if (get('gradient')) row.gradient = get('gradient') as ExplainedImage['gradient'];
  for (const key of ['epsilon', 'relative_step', 'explained_variance'] as const) {
    const v = optional(key);
    if (v !== undefined) row[key] = v;
  }
  return row;
}

/** Every row of a row file, in file order (an InputError when it is not one). */
export async function* readExplainRows(file: string): AsyncGenerator<ExplainedImage> {
  let at: Map<string, number> | undefined;
  for await (const record of csvRecords(file, { fix: FIX })) {
    if (!at) {
      at = columnIndex(record, ['image_id', 'heatmap', 'inside_reference'], file, FIX);
      continue;
    }
    yield fromRecord(record, at);
  }
}

function sameRun(a: ExplainRunFingerprint, b: ExplainRunFingerprint): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export class ExplainRowWriter {
  private constructor(private readonly file: string) {}

  /**
   * Opens the row file for a run: the ids already written by the same run configuration (to be
   * skipped), or a fresh file when there is none or it belongs to another configuration.
   */
  static async open(files: ExplainRowFiles, fingerprint: ExplainRunFingerprint): Promise<{ writer: ExplainRowWriter; done: Set<string> }> {
    const done = new Set<string>();
    let previous: ExplainRunFingerprint | undefined;
    try {
      previous = JSON.parse(await readFile(files.run, 'utf8')) as ExplainRunFingerprint;
    } catch {
      previous = undefined;
    }
    let bytes: Buffer | undefined;
    if (previous && sameRun(previous, fingerprint)) {
      try {
        bytes = await readFile(files.rows);
      } catch {
        bytes = undefined;
      }
    }
    if (bytes && bytes.length > 0) {
      // A crash during an append can leave a torn last line: keep whole lines only.
      const end = bytes.lastIndexOf(10) + 1;
      if (end < bytes.length) await writeFileAtomic(files.rows, bytes.subarray(0, end));
      for await (const row of readExplainRows(files.rows)) done.add(row.id);
    } else {
      await writeFileAtomic(files.rows, stringify([[...EXPLAIN_ROW_COLUMNS]]));
      await writeFileAtomic(files.run, JSON.stringify(fingerprint, null, 2) + '\n');
    }
    return { writer: new ExplainRowWriter(files.rows), done };
  }

  /** Appends rows whose heatmaps are already written. */
  async append(rows: readonly ExplainedImage[]): Promise<void> {
    if (rows.length === 0) return;
    try {
      await appendFile(this.file, stringify(rows.map(toRecord)));
    } catch (err) {
      throw toWriteError(err, this.file);
    }
  }
}
