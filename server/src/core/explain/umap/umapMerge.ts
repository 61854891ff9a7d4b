/**
 * The UMAP features of shards (`medseg umap --shard I/N` in each shard folder), joined into the
 * maps one `medseg umap` draws: every shard's rows put back in the maps' order (the id order of
 * the image sample), then one embedding per map over all of them, coloured by the merged
 * per_image.csv. Every record is checked before anything is written: of the shard its folder's
 * evaluation is, made from the same config text, build, dataset, settings and model files.
 */
import type { MedsegConfig } from '../../config/types';
import type { DatasetCase, ResolvedDataset } from '../../dataset/types';
import { imageListOf } from '../../evaluate/shardParts';
import { InputError, type Finding } from '../../findings';
import { shellWord } from '../../util/shellWord';
import { FeatureMatrix } from './featureMatrix';
import { embedMaps, writeUmapJson, type UmapReport } from './umapPipeline';
import { featureFindings, umapCases, type ExtractedFeatures, type FeatureSource } from './umapFeatures';
import { featureSettings, inShard } from './umapShard';
import { hasUmapFeatures, readUmapFeatureHeader, readUmapFeatureRows, type UmapFeatureHeader, type UmapFeatureMap } from './umapShardRecord';

/** A shard folder as the merge knows it from its evaluation. */
export interface UmapShardFolder {
  dir: string;
  index: number;
  count: number;
  config: string;
  config_sha256: string;
  build: string;
  engine_version: string;
  dataset_sha256: string;
}

export interface UmapMergePlan {
  folders: UmapShardFolder[];
  headers: UmapFeatureHeader[];
}

const short = (digest: string) => digest.slice(0, 12);
const label = (s: { dir: string; index: number; count: number }) => `${s.dir} (shard ${s.index + 1}/${s.count})`;
const remake = (s: UmapShardFolder) => `\`medseg umap ${shellWord(s.config)} --shard ${s.index + 1}/${s.count} --output ${shellWord(s.dir)}\``;

/** A map as the shards must agree on it (its width is compared apart: a shard may have no row of it). */
const mapKey = (m: UmapFeatureMap) => JSON.stringify([m.name, m.features, m.model ?? null, m.layer ?? null, m.model_sha256 ?? null]);

function describeMaps(h: UmapFeatureHeader): string {
  return h.maps.map((m) => (m.model ? `${m.name} (model sha256 ${short(m.model_sha256 ?? '')}…)` : m.name)).join(', ') || 'none';
}

interface ReadRecord {
  folder: UmapShardFolder;
  header: UmapFeatureHeader;
}

/** What about a record differs from its folder's evaluation, in words; undefined when nothing. */
function againstEvaluation({ folder: s, header: h }: ReadRecord, all: readonly ReadRecord[]): string | undefined {
  if (h.shard.index !== s.index || h.shard.count !== s.count) {
    const twin = all.find((o) => o.folder !== s && o.header.shard.index === h.shard.index && o.header.shard.count === h.shard.count);
    return `its UMAP features are of shard ${h.shard.index + 1}/${h.shard.count}, its evaluation of shard ${s.index + 1}/${s.count}${twin ? ` (so shard ${h.shard.index + 1}/${h.shard.count}'s features are given twice: ${twin.folder.dir} holds them too)` : ''}`;
  }
  if (h.config_sha256 !== s.config_sha256) return `its UMAP features were made from another config text than its evaluation (sha256 ${short(h.config_sha256)}… against ${short(s.config_sha256)}…)`;
  if (h.build !== s.build) return `its UMAP features were made by another medseg build than its evaluation (${h.engine_version} build ${h.build} against ${s.engine_version} build ${s.build})`;
  if (h.dataset_sha256 !== s.dataset_sha256) return 'its UMAP features were made from another dataset (images or split assignments) than its evaluation';
  return undefined;
}

/** What about a record differs from the first shard's, in words; undefined when nothing. */
function againstFirst({ header: h }: ReadRecord, first: ReadRecord): string | undefined {
  const f = first.header;
  if (JSON.stringify(h.settings) !== JSON.stringify(f.settings)) {
    const t = (x: UmapFeatureHeader['settings']) => `features ${x.features}, layer ${x.layer}, max_points ${x.max_points}, seed ${x.seed}`;
    return `its UMAP features were made with other settings (${t(h.settings)}) than ${first.folder.dir}'s (${t(f.settings)})`;
  }
  if (h.images.sha256 !== f.images.sha256) return `its UMAP features are of another image sample (${h.images.count} images on the maps against ${f.images.count} in ${first.folder.dir})`;
  if (h.maps.map(mapKey).join('\n') !== f.maps.map(mapKey).join('\n')) return `its UMAP features are of other maps or model files (${describeMaps(h)}) than ${first.folder.dir}'s (${describeMaps(f)})`;
  return undefined;
}

/**
 * The shards' UMAP feature records, checked to be of one run and of the shards their folders'
 * evaluations are (undefined when no shard made UMAP features).
 */
export async function planUmapMerge(folders: readonly UmapShardFolder[]): Promise<UmapMergePlan | undefined> {
  const present = folders.filter((s) => hasUmapFeatures(s.dir));
  if (present.length === 0) return undefined;
  if (present.length < folders.length) {
    const lacking = folders.filter((s) => !hasUmapFeatures(s.dir));
    throw new InputError(
      lacking[0].dir,
      `${lacking.map(label).join(', ')} hold no UMAP features (shard/umap_features.bin), which other shards hold: make them with ${remake(lacking[0])}${lacking.length > 1 ? ' (and likewise for the others)' : ''}, then merge.`,
      'merge/incomplete',
    );
  }
  const read: ReadRecord[] = [];
  for (const folder of folders) read.push({ folder, header: await readUmapFeatureHeader(folder.dir) });
  const refuse = (r: ReadRecord, why: string) =>
    new InputError(r.folder.dir, `${label(r.folder)} cannot be merged with the other shards: ${why}. Re-run ${remake(r.folder)} with the config, build and data of the others.`, 'merge/mismatch');
  for (const r of read) {
    const why = againstEvaluation(r, read);
    if (why) throw refuse(r, why);
  }
  for (const r of read.slice(1)) {
    const why = againstFirst(r, read[0]);
    if (why) throw refuse(r, why);
  }
  // Width is known only where a shard has rows of the map.
  read[0].header.maps.forEach((m, k) => {
    const withRows = read.filter((r) => r.header.maps[k].rows > 0);
    const odd = withRows.find((r) => r.header.maps[k].width !== withRows[0].header.maps[k].width);
    if (odd) throw refuse(odd, `its map \`${m.name}\` has ${odd.header.maps[k].width} features per image, ${withRows[0].folder.dir}'s ${withRows[0].header.maps[k].width}`);
  });
  return { folders: read.map((r) => r.folder), headers: read.map((r) => r.header) };
}

/**
 * The records against the config and dataset of the merge: the same settings and image sample
 * (the evaluation's checks have compared config text, build and dataset), and together every
 * image of the sample exactly once.
 */
export function checkUmapMergeAgainstNow(plan: UmapMergePlan, config: MedsegConfig, dataset: Pick<ResolvedDataset, 'cases'>): void {
  const first = plan.headers[0];
  if (JSON.stringify(featureSettings(config)) !== JSON.stringify(first.settings)) {
    throw new InputError(config.file, `The UMAP settings of ${config.file} differ from those the shards' features were made with: re-run \`medseg umap --shard I/N\` in every shard folder, then merge.`, 'merge/config-changed');
  }
  const cases = umapCases(config, dataset);
  if (imageListOf(cases.map((c) => c.id)).sha256 !== first.images.sha256) {
    throw new InputError(config.file, `The images on the UMAP maps of ${config.file} have changed since the shards' features were made (${cases.length} now, ${first.images.count} then): re-run \`medseg umap --shard I/N\` in every shard folder, then merge.`, 'merge/dataset-changed');
  }
  // Every record holds its shard's share of the sample in the maps' order: then together they hold every image once.
  plan.headers.forEach((h, k) => {
    const want = cases.filter((c) => inShard(c.id, h.shard)).map((c) => c.id);
    if (want.length !== h.ids.length || want.some((x, i) => h.ids[i] !== x)) {
      const folder = plan.folders[k];
      throw new InputError(
        folder.dir,
        `${label(folder)} cannot be merged with the other shards: its UMAP features are of ${h.ids.length} images, not of the ${want.length} images of shard ${h.shard.index + 1}/${h.shard.count} on the maps, in id order (a record of another run). Re-run ${remake(folder)}.`,
        'merge/mismatch',
      );
    }
  });
}

/** The shards' features as one extraction over `cases` would have made them. */
async function joinFeatures(plan: UmapMergePlan, cases: readonly DatasetCase[], signal?: AbortSignal): Promise<ExtractedFeatures> {
  const rowOf = new Map(cases.map((c, i) => [c.id, i]));
  const byRow = (a: string, b: string) => rowOf.get(a)! - rowOf.get(b)!;
  const first = plan.headers[0];
  const sources: FeatureSource[] = first.maps.map((m) => ({
    name: m.name,
    features: m.features,
    ...(m.model !== undefined ? { model: m.model, layer: m.layer, modelSha256: m.model_sha256 } : {}),
    matrix: new FeatureMatrix(cases.length),
    failed: [],
  }));
  const unreadable: string[] = [];
  for (const [s, header] of plan.headers.entries()) {
    signal?.throwIfAborted();
    const rows = await readUmapFeatureRows(plan.folders[s].dir, header);
    const skip = new Set(header.unreadable);
    for (const id of header.unreadable) unreadable.push(id);
    header.maps.forEach((m, k) => {
      const failed = new Set(m.failed);
      const data = rows[k];
      let r = 0;
      for (const id of header.ids) {
        if (skip.has(id) || failed.has(id)) continue;
        sources[k].matrix.set(rowOf.get(id)!, data.subarray(r * m.width, (r + 1) * m.width));
        r++;
      }
      for (const id of m.failed) sources[k].failed.push(id);
    });
  }
  unreadable.sort(byRow);
  sources.forEach((source, k) => {
    if (source.failed.length === 0) return;
    source.failed.sort(byRow);
    // The single run keeps the message of the first image (in map order) its model failed on.
    const firstFailed = source.failed[0];
    const from = plan.headers.find((h) => h.maps[k].failed.includes(firstFailed));
    const message = from?.maps[k].failure_message;
    if (message !== undefined) source.failureMessage = message;
  });
  return { sources, unreadable, modelFindings: first.model_findings };
}

/**
 * Embeds the joined features and writes umap.json into `out`, whose lock the caller holds (after
 * the merged per_image.csv, which colours the points). Returns the findings one `medseg umap` reports.
 */
export async function writeUmapMerge(plan: UmapMergePlan, out: string, config: MedsegConfig, dataset: Pick<ResolvedDataset, 'cases' | 'labelColumns'>, options: { signal?: AbortSignal; worker?: boolean } = {}): Promise<{ report: UmapReport; findings: Finding[] }> {
  const cases = umapCases(config, dataset);
  const extracted = await joinFeatures(plan, cases, options.signal);
  const findings = featureFindings(config, extracted);
  const report = await embedMaps(config, dataset, cases, extracted, out, findings, { signal: options.signal, worker: options.worker });
  await writeUmapJson(out, report);
  return { report, findings };
}
