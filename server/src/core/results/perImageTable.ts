/**
 * The per-image results of a run held column-wise: one image axis (ids stored once) and, per
 * method, typed arrays over it — each metric and each pixel count as a Float64Array, the split and
 * the `fusion:best` source as indices into a small string table, and whether the method has a row
 * for the image at all (a further metric's column exists only once a row carries it). About 110
 * bytes per (image, method) with the default metrics instead of a few hundred for a row
 * object, and no per-row garbage: 60,000 images × 8 methods take about 50 MB.
 *
 * A metric that is undefined for a row (RESULTS.md) and a row that does not exist both read as NaN
 * in a column, which every consumer already skips; `has` tells them apart. The image axis keeps the
 * order images were added in (for an evaluation: its cases, sorted by id), and "rows in order"
 * means images in that order and, within an image, methods in the table's method order.
 */
import { DEFAULT_METRICS, METRIC_NAMES, type MetricName } from '../config/types';
import type { PerImageRow } from './perImage';

export const COUNT_NAMES = ['refPixels', 'predPixels', 'tp', 'fp', 'fn', 'tn'] as const;
export type CountName = (typeof COUNT_NAMES)[number];

/** What one row carries: a PerImageRow without its image and method (which the table places). */
export type PerImageValues = Pick<PerImageRow, 'split' | 'metrics' | CountName | 'source'>;

const METRIC_INDEX = new Map<string, number>(METRIC_NAMES.map((m, i) => [m, i]));
/** The seven default metrics are columns of every table; a further one only once a row carries it. */
const ALWAYS_HELD = METRIC_NAMES.map((m) => (DEFAULT_METRICS as readonly string[]).includes(m));

/** One method's columns over the image axis. */
class MethodColumns {
  present: Uint8Array;
  /** Per metric of METRIC_NAMES; undefined for a further metric no row of this method carries. */
  metrics: (Float64Array | undefined)[];
  counts: Float64Array[];
  /** Index into the table's strings. */
  split: Uint16Array;
  /** 0 = no source, k = the table's string k − 1. */
  source: Uint16Array;
  rows = 0;

  constructor(capacity: number) {
    this.present = new Uint8Array(capacity);
    this.metrics = ALWAYS_HELD.map((held) => (held ? new Float64Array(capacity).fill(NaN) : undefined));
    this.counts = COUNT_NAMES.map(() => new Float64Array(capacity));
    this.split = new Uint16Array(capacity);
    this.source = new Uint16Array(capacity);
  }

  grow(capacity: number): void {
    const widen = <T extends Uint8Array | Uint16Array | Float64Array>(a: T, fill = 0): T => {
      const b = new (a.constructor as new (n: number) => T)(capacity);
      b.set(a);
      if (fill !== 0) b.fill(fill, a.length);
      return b;
    };
    this.present = widen(this.present);
    this.metrics = this.metrics.map((a) => a && widen(a, NaN));
    this.counts = this.counts.map((a) => widen(a));
    this.split = widen(this.split);
    this.source = widen(this.source);
  }
}

export class PerImageTable {
  private readonly ids: string[] = [];
  private readonly idIndex = new Map<string, number>();
  private readonly methodNames: string[] = [];
  private readonly columns = new Map<string, MethodColumns>();
  private readonly strings: string[] = [];
  /** Further metrics (beyond the default seven) that some row carries. */
  private readonly further = new Set<MetricName>();
  private readonly stringIndex = new Map<string, number>();
  private capacity: number;
  private rowCount = 0;

  /** `imageIds` must be distinct; `methods` fixes the method order (more are added as rows name them). */
  constructor(methods: readonly string[] = [], imageIds: readonly string[] = []) {
    this.capacity = Math.max(16, imageIds.length);
    for (const id of imageIds) this.addImage(id);
    for (const m of methods) this.methodColumns(m);
  }

  /** Builds a table from row objects (tests, callers that hold rows); images in order of first appearance. */
  static fromRows(rows: Iterable<PerImageRow>, methods: readonly string[] = []): PerImageTable {
    const table = new PerImageTable(methods);
    for (const r of rows) table.set(table.imageIndex(r.imageId), r.method, r);
    return table;
  }

  /** The image axis. */
  get imageIds(): readonly string[] {
    return this.ids;
  }

  /** Methods in the table's order. */
  get methods(): readonly string[] {
    return this.methodNames;
  }

  get images(): number {
    return this.ids.length;
  }

  /** The further metrics (beyond the default seven) some row carries, in METRIC_NAMES order: per_image.csv's extra columns. */
  get furtherMetrics(): MetricName[] {
    return METRIC_NAMES.filter((m) => this.further.has(m));
  }

  /** Rows held (image × method pairs with a row). */
  get size(): number {
    return this.rowCount;
  }

  /** The index of image `id`, appended to the axis when new. */
  imageIndex(id: string): number {
    const known = this.findImage(id);
    return known ?? this.addImage(id);
  }

  /** The index of image `id`, or undefined when the axis does not hold it. */
  findImage(id: string): number | undefined {
    return this.idIndex.get(id);
  }

  /** Puts a row at (image, method), replacing any row there. */
  set(image: number, method: string, row: PerImageValues): void {
    if (!(image >= 0 && image < this.ids.length)) throw new RangeError(`PerImageTable.set: image index ${image} is not on the axis of ${this.ids.length} images`);
    const c = this.methodColumns(method);
    if (!c.present[image]) {
      c.present[image] = 1;
      c.rows++;
      this.rowCount++;
    }
    for (let k = 0; k < METRIC_NAMES.length; k++) {
      const name = METRIC_NAMES[k];
      let column = c.metrics[k];
      if (!column) {
        // A row that has the key (even undefined) selected the metric: it becomes a column.
        if (!(name in row.metrics)) continue;
        column = c.metrics[k] = new Float64Array(this.capacity).fill(NaN);
        this.further.add(name);
      }
      const v = row.metrics[name];
      column[image] = v === undefined ? NaN : v;
    }
    for (let k = 0; k < COUNT_NAMES.length; k++) c.counts[k][image] = row[COUNT_NAMES[k]];
    c.split[image] = this.intern(row.split);
    c.source[image] = row.source === undefined ? 0 : this.intern(row.source) + 1;
  }

  has(method: string, image: number): boolean {
    return this.columns.get(method)?.present[image] === 1;
  }

  /** Rows of one method. */
  rowsOf(method: string): number {
    return this.columns.get(method)?.rows ?? 0;
  }

  /** One metric of a row; undefined where the row has it undefined or there is no row. */
  value(method: string, metric: MetricName, image: number): number | undefined {
    const v = this.columns.get(method)?.metrics[METRIC_INDEX.get(metric)!]?.[image];
    return v === undefined || Number.isNaN(v) ? undefined : v;
  }

  /**
   * One metric of one method over the image axis, NaN where undefined or where the method has no
   * row: a view on the table's storage (no copy), valid until images are added.
   */
  column(method: string, metric: MetricName): Float64Array {
    const column = this.columns.get(method)?.metrics[METRIC_INDEX.get(metric)!];
    if (!column) return new Float64Array(this.ids.length).fill(NaN);
    return column.subarray(0, this.ids.length);
  }

  /** 1 where the method has a row for the image: a view, valid until images are added. */
  presence(method: string): Uint8Array {
    return this.columns.get(method)?.present.subarray(0, this.ids.length) ?? new Uint8Array(this.ids.length);
  }

  count(method: string, name: CountName, image: number): number {
    return this.columns.get(method)?.counts[COUNT_NAMES.indexOf(name)][image] ?? 0;
  }

  split(method: string, image: number): string | undefined {
    const c = this.columns.get(method);
    return c?.present[image] ? this.strings[c.split[image]] : undefined;
  }

  source(method: string, image: number): string | undefined {
    const k = this.columns.get(method)?.source[image] ?? 0;
    return k === 0 ? undefined : this.strings[k - 1];
  }

  /** A row object for (method, image), or undefined when there is none. */
  row(method: string, image: number): PerImageRow | undefined {
    const c = this.columns.get(method);
    if (!c?.present[image]) return undefined;
    const metrics: PerImageRow['metrics'] = {};
    for (let k = 0; k < METRIC_NAMES.length; k++) {
      const column = c.metrics[k];
      if (!column) continue;
      const v = column[image];
      metrics[METRIC_NAMES[k]] = Number.isNaN(v) ? undefined : v;
    }
    const [refPixels, predPixels, tp, fp, fn, tn] = c.counts.map((a) => a[image]);
    return { imageId: this.ids[image], split: this.strings[c.split[image]], method, metrics, refPixels, predPixels, tp, fp, fn, tn, source: this.source(method, image) };
  }

  /** Rows in order (images on the axis, methods in `methodOrder`, default the table's), made one at a time. */
  *rows(methodOrder: readonly string[] = this.methodNames): IterableIterator<PerImageRow> {
    for (let i = 0; i < this.ids.length; i++) {
      for (const m of methodOrder) {
        const r = this.row(m, i);
        if (r) yield r;
      }
    }
  }

  /** Every row as an object: for small tables and callers that need rows (stress tests, tests). */
  toRows(methodOrder?: readonly string[]): PerImageRow[] {
    return [...this.rows(methodOrder)];
  }

  /** Image indices sorted by id (code-unit order, as `<` compares); ties keep axis order. */
  sortedImageOrder(): Int32Array {
    const order = Int32Array.from({ length: this.ids.length }, (_, i) => i);
    let sorted = true;
    for (let i = 1; i < this.ids.length && sorted; i++) sorted = !(this.ids[i] < this.ids[i - 1]);
    if (sorted) return order;
    return Int32Array.from([...order].sort((a, b) => (this.ids[a] < this.ids[b] ? -1 : this.ids[a] > this.ids[b] ? 1 : a - b)));
  }

  private addImage(id: string): number {
    if (this.idIndex.has(id)) throw new RangeError(`PerImageTable: image ${id} is on the axis twice`);
    if (this.ids.length === this.capacity) {
      this.capacity *= 2;
      for (const c of this.columns.values()) c.grow(this.capacity);
    }
    this.ids.push(id);
    this.idIndex.set(id, this.ids.length - 1);
    return this.ids.length - 1;
  }

  private methodColumns(method: string): MethodColumns {
    let c = this.columns.get(method);
    if (!c) {
      c = new MethodColumns(this.capacity);
      this.columns.set(method, c);
      this.methodNames.push(method);
    }
    return c;
  }

  private intern(s: string): number {
    let k = this.stringIndex.get(s);
    if (k === undefined) {
      k = this.strings.length;
      if (k >= 0xfffe) throw new RangeError('PerImageTable: more than 65,534 distinct split and source names');
      this.strings.push(s);
      this.stringIndex.set(s, k);
    }
    return k;
  }
}
