/**
 * `medseg merge`: shards of one evaluation (`--shard I/N` on N machines) → the results a single
 * run would have written. Rows are put back in the single run's order and the same assembly runs
 * over them; pooled sums are integer counts, so adding them is exact.
 */
import { cp } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from '../config';
import { resolveDataset } from '../dataset';
import { InputError, type Finding } from '../findings';
import { PooledCounts } from '../metrics';
import type { PerImageRow } from '../results/perImage';
import type { EvaluationSummary } from '../results/summary';
import { assembleSummary, failureFindings, tryWriteReport, writeResults, type EvaluationParts } from './assemble';
import { readShardParts } from './shardParts';

export interface MergeResult {
  outputDir: string;
  summary: EvaluationSummary;
  findings: Finding[];
}

const byId = (a: { imageId: string }, b: { imageId: string }) => (a.imageId < b.imageId ? -1 : a.imageId > b.imageId ? 1 : 0);

export async function mergeShards(dirs: readonly string[], outputDir: string, options: { signal?: AbortSignal; command?: string } = {}): Promise<MergeResult> {
  if (dirs.length === 0) throw new InputError(outputDir, 'medseg merge needs the shard folders to merge.', 'merge/no-input');
  const shards = [];
  for (const dir of dirs) shards.push({ dir: resolve(dir), parts: await readShardParts(resolve(dir)) });
  shards.sort((a, b) => (a.parts.shard?.index ?? 0) - (b.parts.shard?.index ?? 0));
  const first = shards[0].parts;
  const count = first.shard?.count ?? 1;
  const methodKey = (p: EvaluationParts) => p.methods.map((m) => m.name).join(',');
  for (const { dir, parts } of shards) {
    if (parts.config !== first.config || parts.split !== first.split || methodKey(parts) !== methodKey(first) || (parts.shard?.count ?? 1) !== count) {
      throw new InputError(dir, `${dir} is a shard of another evaluation (config ${parts.config}, split ${parts.split}, ${parts.shard?.count ?? 1} shards) than ${shards[0].dir}; merge shards of one run only.`, 'merge/mismatch');
    }
  }
  const indices = shards.map((s) => s.parts.shard?.index ?? 0);
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !indices.includes(i));
  const repeated = indices.filter((i, k) => indices.indexOf(i) !== k);
  if (missing.length || repeated.length) {
    throw new InputError(
      shards[0].dir,
      `${missing.length ? `shard(s) ${missing.map((i) => `${i + 1}/${count}`).join(', ')} missing` : ''}${missing.length && repeated.length ? '; ' : ''}${repeated.length ? `shard(s) ${repeated.map((i) => `${i + 1}/${count}`).join(', ')} given twice` : ''}: give every shard folder once.`,
      'merge/incomplete',
    );
  }

  const order = new Map(first.methods.map((m, i) => [m.name, i]));
  const rowOrder = (a: PerImageRow, b: PerImageRow) => byId(a, b) || order.get(a.method)! - order.get(b.method)!;
  const memberOrder = new Map(first.members.map((m, i) => [m, i]));
  const all = shards.map((s) => s.parts);
  const pooled = new Map(first.methods.map((m) => [m.name, new PooledCounts()]));
  for (const p of all) for (const [m, counts] of p.pooled) pooled.get(m)?.merge(counts);
  const models: EvaluationSummary['models'] = {};
  for (const p of all)
    for (const [name, m] of Object.entries(p.models)) models[name] = models[name] ? { ...models[name], inferences: models[name].inferences + m.inferences } : { ...m };

  const parts: EvaluationParts = {
    split: first.split,
    caseIds: all.flatMap((p) => p.caseIds).sort(),
    methods: first.methods,
    members: first.members,
    fusions: first.fusions,
    rows: all.flatMap((p) => p.rows).sort(rowOrder),
    valRows: all.flatMap((p) => p.valRows).sort(rowOrder),
    changes: all.flatMap((p) => p.changes).sort((a, b) => byId(a, b) || order.get(a.fusion)! - order.get(b.fusion)! || memberOrder.get(a.member)! - memberOrder.get(b.member)!),
    staple: all.flatMap((p) => p.staple).sort(byId),
    failures: all.flatMap((p) => p.failures).sort(byId),
    pooled,
    models,
    provider: first.provider,
  };

  const parsed = await loadConfig(first.config);
  if (!parsed.config) throw new InputError(first.config, `the config ${first.config} of these shards cannot be loaded now; fix it (\`medseg validate\`) and merge again.`, 'merge/config');
  const config = parsed.config;
  const dataset = await resolveDataset(config, { signal: options.signal });
  const labels = new Map(dataset.cases.map((c) => [c.id, c.labels]));
  const summary: EvaluationSummary = { ...assembleSummary(config, dataset.labelColumns, (id) => labels.get(id) ?? {}, parts), merged_from: shards.map((s) => s.dir) };
  const out = resolve(outputDir);
  await writeResults(out, parts, summary);
  for (const { dir } of shards) {
    for (const folder of ['masks', 'prob', 'errors']) {
      if (existsSync(join(dir, folder)) && resolve(dir) !== out) await cp(join(dir, folder), join(out, folder), { recursive: true, force: true });
    }
  }
  const findings = failureFindings(config, parts.failures);
  const ids = new Set(parts.caseIds);
  const report = await tryWriteReport(out, summary, parts.rows, { config, cases: dataset.cases.filter((c) => ids.has(c.id)), command: options.command ?? `medseg merge ${dirs.join(' ')}` });
  if (report) findings.push(report);
  return { outputDir: out, summary, findings };
}
