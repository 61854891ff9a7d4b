/** Reads a `per_image.csv` back into rows (for `medseg compare`, shard merging, the preview). */
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { METRIC_NAMES, type MetricName } from '../config/types';
import { InputError } from '../findings';
import { PER_IMAGE_COLUMNS, type PerImageRow } from './perImage';

function num(cell: string | undefined): number | undefined {
  if (cell === undefined || cell === '') return undefined;
  const x = Number(cell);
  return Number.isFinite(x) ? x : undefined;
}

export function parsePerImageCsv(text: string, file = 'per_image.csv'): PerImageRow[] {
  let records: Record<string, string>[];
  try {
    records = parse(text, { columns: true, bom: true, skip_empty_lines: true }) as Record<string, string>[];
  } catch (err) {
    throw new InputError(file, `${file} is not a readable CSV (${(err as Error).message}); re-run \`medseg evaluate\`.`, 'results/unreadable');
  }
  const header = text.split(/\r?\n/, 1)[0].split(',');
  const missing = PER_IMAGE_COLUMNS.filter((c) => c !== 'source' && c !== 'tp' && c !== 'fp' && c !== 'fn' && c !== 'tn' && !header.includes(c));
  if (missing.length) throw new InputError(file, `${file} lacks the column(s) ${missing.join(', ')}: it was not written by medseg evaluate.`, 'results/unreadable');
  return records.map((r) => ({
    imageId: r.image_id,
    split: r.split,
    method: r.method,
    metrics: Object.fromEntries(METRIC_NAMES.map((m: MetricName) => [m, num(r[m])])),
    refPixels: num(r.ref_pixels) ?? 0,
    predPixels: num(r.pred_pixels) ?? 0,
    tp: num(r.tp) ?? 0,
    fp: num(r.fp) ?? 0,
    fn: num(r.fn) ?? 0,
    tn: num(r.tn) ?? 0,
    source: r.source || undefined,
  }));
}

export async function readPerImageCsv(file: string): Promise<PerImageRow[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new InputError(file, `${file} does not exist: run \`medseg evaluate\` first, or give the folder that holds per_image.csv.`, 'results/not-found');
  }
  return parsePerImageCsv(text, file);
}
