/**
 * `per_image.csv`: one row per (image, method), columns in the order of RESULTS.md, then the
 * confusion counts (type I = fp, type II = fn) and, for `fusion:best` rows, the winning source.
 * Numbers are written in JavaScript's shortest round-trip form, so a value read back is the
 * value computed and two runs write the same bytes. An undefined value is an empty cell.
 */
import type { MetricName } from '../config/types';

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

export function formatPerImageRow(r: PerImageRow): string {
  const m = r.metrics;
  return [
    r.imageId,
    r.split,
    r.method,
    m.dice,
    m.iou,
    m.sensitivity,
    m.specificity,
    m.precision,
    m.auroc,
    m.hd95,
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

/** Rows in a stable order: by image id, then by method in the order given (models, then fusions). */
export function sortRows(rows: readonly PerImageRow[], methodOrder: readonly string[]): PerImageRow[] {
  const rank = new Map(methodOrder.map((m, i) => [m, i]));
  return [...rows].sort((a, b) =>
    a.imageId < b.imageId ? -1 : a.imageId > b.imageId ? 1 : (rank.get(a.method) ?? 1e9) - (rank.get(b.method) ?? 1e9),
  );
}

export function formatPerImageCsv(rows: readonly PerImageRow[], methodOrder: readonly string[]): string {
  return [PER_IMAGE_COLUMNS.join(','), ...sortRows(rows, methodOrder).map(formatPerImageRow)].join('\n') + '\n';
}
