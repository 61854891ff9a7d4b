import type { SplitName } from '../config/types';
import type { DatasetCase } from '../dataset/types';
import { sha256 } from '../util/hash';

export interface Shard {
  /** Zero-based shard index. */
  index: number;
  count: number;
}

/**
 * A case's shard is fixed by its id alone (not its position), so adding images to a dataset
 * moves no other image to another shard, and every machine of a batch job agrees.
 */
export function shardOf(id: string, count: number): number {
  return parseInt(sha256(id).slice(0, 8), 16) % count;
}

/** The cases an evaluation runs on: the split, with a reference mask, in this shard, sorted by id. */
export function selectCases(cases: readonly DatasetCase[], split: SplitName | 'all', shard?: Shard): DatasetCase[] {
  return cases
    .filter((c) => c.mask !== undefined)
    .filter((c) => split === 'all' || c.split === split)
    .filter((c) => !shard || shard.count <= 1 || shardOf(c.id, shard.count) === shard.index)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
