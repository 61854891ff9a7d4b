/**
 * What `medseg stress --shard I/N` keeps for the merge: the per-case Dice rows of the perturbation
 * stress test on the shard's images (`shard/stress.json.gz`), with what they were run with. The
 * label mixes resample the whole split's rows, so they run at the merge over the merged results.
 */
import { constants as bufferConstants } from 'node:buffer';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { InputError } from '../findings';
import { writeFileAtomic } from '../io';
import { resultPath } from '../results/resultPath';
import type { Shard } from '../evaluate/selectCases';
import { nonFiniteAsNull } from '../results/summary';
import type { PerturbationFailure } from './perturbationStress';
import type { PerturbationKind } from './perturbations';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);
export const STRESS_PARTS = 'stress.json.gz';

export interface StressShardParts {
  version: 1;
  shard: Shard;
  split: string;
  /** `--label` and `--repeats` as the shard was run, for the label mixes the merge runs. */
  label?: string;
  repeats: number;
  kinds: PerturbationKind[];
  methods: string[];
  skipped: { model: string; reason: string }[];
  inferences: number;
  notes: string[];
  /** The shard's cases (sorted ids) and per case its packed Dice row (null: the case failed; a null inside: undefined Dice). */
  ids: string[];
  rows: ((number | null)[] | null)[];
  failures: PerturbationFailure[];
}

export function stressPartsFile(dir: string): string {
  return resultPath(dir, 'shard', STRESS_PARTS);
}

export function hasStressParts(dir: string): boolean {
  return existsSync(stressPartsFile(dir));
}

export async function writeStressParts(dir: string, parts: StressShardParts): Promise<void> {
  await writeFileAtomic(stressPartsFile(dir), await gzipAsync(JSON.stringify(parts, nonFiniteAsNull)));
}

export async function readStressParts(dir: string): Promise<StressShardParts> {
  const file = stressPartsFile(dir);
  try {
    const parts = JSON.parse((await gunzipAsync(await readFile(file), { maxOutputLength: bufferConstants.MAX_STRING_LENGTH })).toString('utf8')) as StressShardParts;
    if (parts.version !== 1 || !Array.isArray(parts.ids) || !Array.isArray(parts.rows) || parts.ids.length !== parts.rows.length) throw new Error('not a stress shard record');
    return parts;
  } catch (err) {
    throw new InputError(file, `${file} cannot be read (${(err as Error).message}): re-run \`medseg stress --shard I/N\` for ${dir}.`, 'merge/not-a-shard');
  }
}

/** A packed row as stored (NaN: undefined Dice) back to numbers. */
export function unpackRow(row: (number | null)[] | null): Float64Array | undefined {
  return row === null ? undefined : Float64Array.from(row, (x) => (x === null ? NaN : x));
}
