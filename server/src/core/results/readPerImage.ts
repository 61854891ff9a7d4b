/**
 * Reads a `per_image.csv` back (for `medseg compare`, shard merging, stress tests), record by
 * record into a PerImageTable: a 60,000-image file never exists as one string or as row objects.
 */
import { DEFAULT_METRICS, METRIC_NAMES } from '../config/types';
import { InputError } from '../findings';
import { columnIndex, csvRecords } from './csvRecords';
import { PER_IMAGE_COLUMNS, type PerImageRow } from './perImage';
import { PerImageTable } from './perImageTable';

const FIX = 're-run `medseg evaluate`, or give the folder that holds per_image.csv.';
/** The confusion counts and `source` came later; files without them are still read (counts 0). */
const REQUIRED = PER_IMAGE_COLUMNS.filter((c) => c !== 'source' && c !== 'tp' && c !== 'fp' && c !== 'fn' && c !== 'tn');

function num(cell: string | undefined): number | undefined {
  if (cell === undefined || cell === '') return undefined;
  const x = Number(cell);
  return Number.isFinite(x) ? x : undefined;
}

export interface ReadPerImageOptions {
  /**
   * Add the rows to this table (e.g. one whose image axis and methods are already those of a
   * merged run) instead of a new one.
   */
  into?: PerImageTable;
  /** Refuse images that are not on `into`'s axis (a shard's per_image.csv must hold only its cases). */
  knownImagesOnly?: boolean;
}

export async function readPerImageTable(file: string, options: ReadPerImageOptions = {}): Promise<PerImageTable> {
  const table = options.into ?? new PerImageTable();
  let at: ((name: string) => number) | undefined;
  let metricAt: number[] = [];
  let lastId: string | undefined;
  let lastIndex = -1;
  for await (const record of csvRecords(file, { fix: FIX })) {
    if (!at) {
      const index = columnIndex(record, REQUIRED, file, FIX);
      at = (name) => index.get(name) ?? -1;
      metricAt = METRIC_NAMES.map(at);
      continue;
    }
    const cell = (k: number): string | undefined => (k < 0 ? undefined : record[k]);
    const imageId = record[at('image_id')];
    if (imageId !== lastId) {
      const known = table.findImage(imageId);
      if (known === undefined && options.knownImagesOnly) {
        throw new InputError(file, `${file} has rows for image ${imageId}, which is not among the images its run evaluated: the folder was changed after the run; re-run \`medseg evaluate\` for it.`, 'results/unreadable');
      }
      lastIndex = known ?? table.imageIndex(imageId);
      lastId = imageId;
    }
    const metrics: PerImageRow['metrics'] = {};
    // Only the file's own metric columns become keys: a further metric the run did not select stays absent.
    METRIC_NAMES.forEach((m, k) => {
      if (metricAt[k] >= 0 || (DEFAULT_METRICS as readonly string[]).includes(m)) metrics[m] = num(cell(metricAt[k]));
    });
    table.set(lastIndex, record[at('method')], {
      split: record[at('split')],
      metrics,
      refPixels: num(cell(at('ref_pixels'))) ?? 0,
      predPixels: num(cell(at('pred_pixels'))) ?? 0,
      tp: num(cell(at('tp'))) ?? 0,
      fp: num(cell(at('fp'))) ?? 0,
      fn: num(cell(at('fn'))) ?? 0,
      tn: num(cell(at('tn'))) ?? 0,
      source: cell(at('source')) || undefined,
    });
  }
  if (!at) throw new InputError(file, `${file} is empty: ${FIX}`, 'results/unreadable');
  return table;
}

/** The rows as objects, for callers that work row by row on small results. */
export async function readPerImageCsv(file: string): Promise<PerImageRow[]> {
  return (await readPerImageTable(file)).toRows();
}
