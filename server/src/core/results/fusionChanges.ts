/**
 * `fusion_changes.csv`: per image, per fusion, per member, the pixels the fusion fixes and breaks
 * relative to that member (type I = fp, type II = fn). A run produces 12 such rows per image with
 * 3 models and 4 fusions — 720,000 at 60,000 images — so they are never held: a FusionChangeLog
 * keeps the sums per (fusion, member) that summary.json reports and spools the lines to the file,
 * in case order (sorted by image id, then fusion in method order, then member in config order).
 */
import { columnIndex, csvRecords } from './csvRecords';
import { SpoolFile } from './spoolFile';

export const FUSION_CHANGES_FILE = 'fusion_changes.csv';
export const FUSION_CHANGES_HEADER = 'image_id,fusion,member,fixed_fp,fixed_fn,broken_fp,broken_fn';

/** One image's change counts for one (fusion, member) pair. */
export interface FusionChange {
  fusion: string;
  member: string;
  fixedFp: number;
  fixedFn: number;
  brokenFp: number;
  brokenFn: number;
}

export interface ChangeCounts {
  fixed_fp: number;
  fixed_fn: number;
  broken_fp: number;
  broken_fn: number;
}

/** Per fusion, per member: the counts summed over images (keys in the order first met). */
export type ChangeTotals = Record<string, Record<string, ChangeCounts>>;

const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export function formatFusionChangeLine(imageId: string, c: FusionChange): string {
  return [quote(imageId), c.fusion, c.member, c.fixedFp, c.fixedFn, c.brokenFp, c.brokenFn].join(',');
}

export class FusionChangeLog {
  readonly totals: ChangeTotals = {};
  /** Lines written so far. */
  lines = 0;
  private readonly spool: SpoolFile;
  private readonly fusionRank: Map<string, number>;
  private readonly memberRank: Map<string, number>;
  private readonly pending = new Map<number, { imageId: string; changes: readonly FusionChange[] }>();
  private next = 0;
  private emitting: Promise<void> = Promise.resolve();

  /** `path` is where `finish` puts the file; `methodOrder` and `members` order the lines within an image. */
  constructor(readonly path: string, methodOrder: readonly string[], members: readonly string[]) {
    this.spool = new SpoolFile(path);
    this.fusionRank = new Map(methodOrder.map((m, i) => [m, i]));
    this.memberRank = new Map(members.map((m, i) => [m, i]));
  }

  /**
   * Case `index`'s changes (none when it was not fused). Every index from 0 up must come once;
   * they may come in any order, and are written in index order as soon as the ones before are in.
   */
  add(index: number, imageId: string, changes: readonly FusionChange[]): Promise<void> {
    if (index < this.next || this.pending.has(index)) throw new RangeError(`FusionChangeLog: case ${index} (${imageId}) given twice`);
    this.pending.set(index, { imageId, changes });
    const run = this.emitting.then(() => this.emitReady());
    this.emitting = run;
    return run;
  }

  /** Waits until every case given is written and summed; `totals` are then complete. */
  async drain(): Promise<void> {
    await this.emitting;
    if (this.pending.size > 0) throw new Error(`FusionChangeLog: case ${this.next} never came; ${this.pending.size} later case(s) unwritten`);
  }

  /** Renames the spooled lines to `path` (returns true), or writes nothing when there were none. */
  async finish(): Promise<boolean> {
    await this.drain();
    if (this.lines === 0) {
      await this.spool.discard();
      return false;
    }
    await this.spool.commit();
    return true;
  }

  /** Removes the spooled lines (an aborted or failed run). */
  async discard(): Promise<void> {
    await this.emitting.catch(() => undefined);
    await this.spool.discard();
  }

  private async emitReady(): Promise<void> {
    for (let item = this.pending.get(this.next); item; item = this.pending.get(this.next)) {
      this.pending.delete(this.next++);
      const sorted = [...item.changes].sort(
        (a, b) => (this.fusionRank.get(a.fusion) ?? Infinity) - (this.fusionRank.get(b.fusion) ?? Infinity) || (this.memberRank.get(a.member) ?? Infinity) - (this.memberRank.get(b.member) ?? Infinity),
      );
      let text = '';
      for (const c of sorted) {
        if (this.lines++ === 0) text += FUSION_CHANGES_HEADER + '\n';
        text += formatFusionChangeLine(item.imageId, c) + '\n';
        const slot = ((this.totals[c.fusion] ??= {})[c.member] ??= { fixed_fp: 0, fixed_fn: 0, broken_fp: 0, broken_fn: 0 });
        slot.fixed_fp += c.fixedFp;
        slot.fixed_fn += c.fixedFn;
        slot.broken_fp += c.brokenFp;
        slot.broken_fn += c.brokenFn;
      }
      if (text) await this.spool.append(text);
    }
  }
}

/** The changes of a fusion_changes.csv, one image at a time (its lines are consecutive). */
export async function* readFusionChangesByImage(file: string): AsyncGenerator<{ imageId: string; changes: FusionChange[] }> {
  const fix = 're-run `medseg evaluate` for this folder.';
  let index: Map<string, number> | undefined;
  let current: { imageId: string; changes: FusionChange[] } | undefined;
  for await (const record of csvRecords(file, { fix })) {
    if (!index) {
      index = columnIndex(record, FUSION_CHANGES_HEADER.split(','), file, fix);
      continue;
    }
    const cell = (name: string) => record[index!.get(name)!];
    const imageId = cell('image_id');
    if (current && current.imageId !== imageId) {
      yield current;
      current = undefined;
    }
    current ??= { imageId, changes: [] };
    current.changes.push({
      fusion: cell('fusion'),
      member: cell('member'),
      fixedFp: Number(cell('fixed_fp')),
      fixedFn: Number(cell('fixed_fn')),
      brokenFp: Number(cell('broken_fp')),
      brokenFn: Number(cell('broken_fn')),
    });
  }
  if (current) yield current;
}

/**
 * The images of several fusion_changes.csv files (each sorted by image id, as evaluate writes
 * them; shards hold disjoint images) into `log` in one id order: a k-way merge that holds one
 * image per file.
 */
export async function mergeFusionChangeFiles(files: readonly string[], log: FusionChangeLog): Promise<void> {
  const sources = files.map((f) => readFusionChangesByImage(f));
  const heads = await Promise.all(sources.map((s) => s.next()));
  let index = 0;
  for (;;) {
    let pick = -1;
    for (let k = 0; k < heads.length; k++) {
      const h = heads[k];
      if (h.done) continue;
      if (pick < 0 || h.value.imageId < (heads[pick].value as { imageId: string }).imageId) pick = k;
    }
    if (pick < 0) return;
    const { imageId, changes } = heads[pick].value as { imageId: string; changes: FusionChange[] };
    await log.add(index++, imageId, changes);
    heads[pick] = await sources[pick].next();
  }
}
