/**
 * The stress tests of shards (`medseg stress --shard I/N` in each shard folder), joined into what
 * one `medseg stress` over the merged results writes: the perturbation curves from every shard's
 * per-case Dice rows put back in image-id order, and the label mixes (which resample the whole
 * split) run here over the merged per-image rows. Checked before anything is written.
 */
import type { MedsegConfig, SplitName } from '../config/types';
import type { ResolvedDataset } from '../dataset/types';
import { InputError, type Finding } from '../findings';
import { writeFileAtomic } from '../io';
import type { PerImageRow } from '../results/perImage';
import { resultPath } from '../results/resultPath';
import { STRESS_FILE } from './stressFile';
import { formatStressJson, labelMixPart, perturbationSection, stressReport } from './stressPipeline';
import { hasStressParts, readStressParts, unpackRow, type StressShardParts } from './stressShardParts';

export interface StressShardFolder {
  dir: string;
  index: number;
  count: number;
}

const key = (p: StressShardParts) => JSON.stringify([p.split, p.label ?? null, p.repeats, p.kinds, p.methods, p.skipped.map((s) => s.model)]);

/** The shards' stress records, checked to be of one run (undefined when no shard was stressed). */
export async function planStressMerge(shards: readonly StressShardFolder[]): Promise<StressShardParts[] | undefined> {
  const stressed = shards.filter((s) => hasStressParts(s.dir));
  if (stressed.length === 0) return undefined;
  if (stressed.length < shards.length) {
    const lacking = shards.filter((s) => !hasStressParts(s.dir));
    throw new InputError(lacking[0].dir, `${lacking.map((s) => `${s.dir} (shard ${s.index + 1}/${s.count})`).join(', ')} hold no stress tests, which other shards hold: run \`medseg stress --shard I/N\` there too, then merge.`, 'merge/incomplete');
  }
  const parts: StressShardParts[] = [];
  for (const s of shards) {
    const p = await readStressParts(s.dir);
    const problem =
      p.shard.index !== s.index || p.shard.count !== s.count
        ? `its stress tests are of shard ${p.shard.index + 1}/${p.shard.count}, its evaluation of shard ${s.index + 1}/${s.count}`
        : parts.length > 0 && key(p) !== key(parts[0])
          ? `its stress tests were run with other settings (split ${p.split}, label ${p.label ?? 'from the config'}, ${p.repeats} repeats, perturbations ${p.kinds.join(', ') || 'none'}, methods ${p.methods.join(', ') || 'none'}) than ${shards[0].dir}'s`
          : undefined;
    if (problem) throw new InputError(s.dir, `${s.dir} cannot be merged with the other shards: ${problem}. Re-run \`medseg stress --shard ${s.index + 1}/${s.count}\` there with the same options.`, 'merge/mismatch');
    parts.push(p);
  }
  return parts;
}

/**
 * Writes stress.json of the merged results into `out` (the caller holds its lock): `rows` are the
 * merged per-image rows, `resultMethods` the merged summary's methods in order.
 */
export async function writeStressMerge(parts: readonly StressShardParts[], out: string, config: MedsegConfig, dataset: Pick<ResolvedDataset, 'cases' | 'labelColumns'>, rows: readonly PerImageRow[], resultMethods: readonly string[]): Promise<Finding[]> {
  const findings: Finding[] = [];
  const at = (configPath: (string | number)[], severity: Finding['severity'], code: string, message: string) => findings.push({ code, severity, message, location: { file: config.file }, configPath });
  const first = parts[0];
  const split = first.split as SplitName | 'all';
  const notes: string[] = [];
  const { methods, labelMixes } = labelMixPart(config, dataset, split, rows, resultMethods, { label: first.label, repeats: first.repeats }, at, notes);
  // The single run's order: every case of the split by id (each shard holds its cases sorted).
  const cases = parts.flatMap((p) => p.ids.map((id, k) => ({ id, row: p.rows[k] }))).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const perturbations =
    first.methods.length > 0
      ? perturbationSection(config, { kinds: first.kinds, skipped: first.skipped, inferences: parts.reduce((a, p) => a + p.inferences, 0), perturbed: { methods: first.methods } }, cases.map((c) => unpackRow(c.row)))
      : undefined;
  for (const p of parts) for (const f of p.failures) at(['dataset'], 'error', f.code, `${f.imageId}: ${f.message}`);
  const report = stressReport(config, { split, repeats: first.repeats, rowsFrom: 'per_image.csv', methods, labelMixes, perturbations, notes: [...notes, ...first.notes] });
  await writeFileAtomic(resultPath(out, STRESS_FILE), formatStressJson(report));
  return findings;
}
