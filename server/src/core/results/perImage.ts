/**
 * `per_image.csv`: one row per (image, method), columns in the order of RESULTS.md (the further
 * metrics a run selected after hd95), then the confusion counts (type I = fp, type II = fn) and, for `fusion:best` rows, the winning source.
 * Numbers are written in JavaScript's shortest round-trip form, so a value read back is the
 * value computed and two runs write the same bytes. An undefined value is an empty cell.
 */
import type { MetricName } from '../config/types';
import type { PerImageTable } from './perImageTable';

export const PER_IMAGE_COLUMNS = [
  'image_id',
  'split',
  'method',
  'dice',
  'iou',
  'sensitivity',
  'specificity',
  'precision',
  'auroc',
  'hd95',
  'ref_pixels',
  'pred_pixels',
  'tp',
  'fp',
  'fn',
  'tn',
  'source',
] as const;

export interface PerImageRow {
  imageId: string;
  split: string;
  method: string;
  metrics: Partial<Record<MetricName, number | undefined>>;
  refPixels: number;
  predPixels: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  /** For `fusion:best`: the method whose mask won on this image. */
  source?: string;
}

function cell(value: string | number | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One cell as per_image.csv writes it; the results folder's other CSVs (file_names.csv) write theirs alike. */
export const csvCell = cell;

/** The header: PER_IMAGE_COLUMNS with `further` metric columns after hd95. */
export function perImageHeader(further: readonly MetricName[] = []): string[] {
  const at = PER_IMAGE_COLUMNS.indexOf('hd95') + 1;
  return [...PER_IMAGE_COLUMNS.slice(0, at), ...further, ...PER_IMAGE_COLUMNS.slice(at)];
}

/** One row; `further`: the extra metric columns of its file, in header order; `region`: its cell after `method` (a region evaluation's top file). */
export function formatPerImageRow(r: PerImageRow, further: readonly MetricName[] = [], region?: string): string {
  const m = r.metrics;
  return [
    r.imageId,
    r.split,
    r.method,
    ...(region !== undefined ? [region] : []),
    m.dice,
    m.iou,
    m.sensitivity,
    m.specificity,
    m.precision,
    m.auroc,
    m.hd95,
    ...further.map((name) => m[name]),
    r.refPixels,
    r.predPixels,
    r.tp,
    r.fp,
    r.fn,
    r.tn,
    r.source,
  ]
    .map(cell)
    .join(',');
}

/**
 * per_image.csv from a table, as chunks of about `chunkChars` characters (a 60,000-image run's
 * 51 MB file is never one string): rows sorted by image id, then by method in `methodOrder`
 * (methods it does not name follow in the table's order).
 */
export function* perImageCsvChunks(table: PerImageTable, methodOrder: readonly string[], chunkChars = 1 << 20): Generator<string> {
  const methods = [...methodOrder.filter((m) => table.methods.includes(m)), ...table.methods.filter((m) => !methodOrder.includes(m))];
  const further = table.furtherMetrics;
  let chunk = perImageHeader(further).join(',') + '\n';
  for (const image of table.sortedImageOrder()) {
    for (const method of methods) {
      const row = table.row(method, image);
      if (!row) continue;
      chunk += formatPerImageRow(row, further) + '\n';
      if (chunk.length >= chunkChars) {
        yield chunk;
        chunk = '';
      }
    }
  }
  if (chunk) yield chunk;
}
