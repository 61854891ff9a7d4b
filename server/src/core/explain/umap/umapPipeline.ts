/**
 * `medseg umap`: 2-D maps of the dataset for the UMAP view, written to `umap.json` in the results
 * folder. Always a map of the images themselves (downsampled pixels); with `explain.umap.features`
 * set to `auto` or a tensor name, also one map per ONNX model of its pooled layer activations
 * (`auto`: the Grad-CAM layer setting). Points carry what the view colours by (split, clinical
 * labels, Dice per model and whether it reached `evaluation.correct_dice`, from the last
 * evaluation's per_image.csv), and test images far from the training images are reported.
 */
import { refuseRegions } from '../../config/regions';
import type { MedsegConfig } from '../../config/types';
import type { DatasetCase, ResolvedDataset } from '../../dataset/types';
import type { Finding } from '../../findings';
import { checkHoldsNoInputs, datasetInputFiles } from '../../results/inputsInside';
import { withResultsLock, type ResultsLock } from '../../results/lock';
import { resultPath, resultsFolderOf } from '../../results/resultPath';
import { writeFileAtomic } from '../../io';
import { probeWritable, resultsDestination, writingInto } from '../../io/writeErrors';
import { pushAll } from '../../util/arrays';
import { ENGINE_VERSION } from '../../version';
import type { EmbeddingPhase, EmbeddingResult } from './embedding';
import { OOD_NEIGHBOURS, OOD_PERCENTILE } from './outOfDistribution';
import { readDiceByImage } from './resultsDice';
import { runEmbedding } from './runEmbedding';
import { SUBSAMPLE_RULE } from './subsample';
import { extractFeatures, featureFindings, umapCases, type ExtractedFeatures, type FeatureSource } from './umapFeatures';

export interface UmapPoint {
  id: string;
  x: number;
  y: number;
  split: string | null;
  labels: Record<string, string>;
  /** Per model: the image's Dice in the last evaluation (null: not evaluated). */
  dice: Record<string, number | null>;
  /** Per model: Dice ≥ evaluation.correct_dice (null: not evaluated). */
  correct: Record<string, boolean | null>;
  /** Test images only: whether it is out of distribution, and its k-NN distance to the training images. */
  ood?: boolean;
  knn_distance?: number;
}

export interface UmapMap {
  name: string;
  features: 'images' | 'layer';
  model?: string;
  layer?: string;
  /** Feature length, and the PCA dimensions the neighbours were found in. */
  dims: number;
  pca_dims: number;
  explained_variance: number;
  epochs: number;
  /** How the k-NN graph was found: exactly, or by NN-descent with its recall measured on a sample of images. */
  neighbor_search: { method: 'exact' | 'nn-descent'; k: number; recall?: number; recall_sample?: number };
  /** Wall seconds of each phase (`ood`: the out-of-distribution test). */
  seconds: Record<EmbeddingPhase, number>;
  out_of_distribution?: { k: number; percentile: number; threshold: number; test_images: number; count: number; search: 'exact' | 'nn-descent' };
  points: UmapPoint[];
}

export interface UmapReport {
  experiment: string;
  time: string;
  engine_version: string;
  config: string;
  seed: number;
  neighbors: number;
  min_dist: number;
  color_by: string;
  correct_dice: number;
  subsample: { total: number; kept: number; max_points: number; rule: string };
  maps: UmapMap[];
}

export interface UmapProgress {
  stage: 'features' | 'embedding';
  map?: string;
  /** Features: images read; embedding: the current phase. */
  done?: number;
  total?: number;
  phase?: EmbeddingPhase;
  /** Of the stage (features) or of the phase (embedding). */
  fraction: number;
  /** Of the whole run, never decreasing: features first, then each map in turn. */
  overall: number;
}

export interface UmapOptions {
  outputDir?: string;
  provider?: MedsegConfig['runtime']['provider'];
  signal?: AbortSignal;
  onProgress?: (p: UmapProgress) => void;
  /** false: embed on this thread (default: a worker). */
  worker?: boolean;
  /** The results folder's lock, where the caller holds it (`medseg merge`). */
  lock?: ResultsLock;
}

export interface UmapResult {
  outputDir: string;
  report: UmapReport;
  findings: Finding[];
}

/** Share of the progress bar: features, then the maps; within a map, its phases. */
const FEATURE_SHARE = 0.5;
const PHASE_SHARE: Record<EmbeddingPhase, [number, number]> = { pca: [0, 0.05], neighbours: [0.05, 0.4], layout: [0.4, 0.9], ood: [0.9, 1] };

export async function umapExperiment(config: MedsegConfig, dataset: ResolvedDataset, options: UmapOptions = {}): Promise<UmapResult> {
  refuseRegions(config, 'medseg umap', 'map a binary config of one region (its labels as `foreground`).');
  const outputDir = resultsFolderOf(config, options.outputDir);
  checkHoldsNoInputs(outputDir, datasetInputFiles(config, dataset));
  // Minutes of features and layout are not spent for a results folder that cannot take umap.json.
  const destination = resultsDestination(outputDir);
  await probeWritable(destination);
  const cases = umapCases(config, dataset);
  const extracted = await extractFeatures(config, cases, {
    provider: options.provider,
    signal: options.signal,
    onProgress: (done, total) => options.onProgress?.({ stage: 'features', done, total, fraction: done / total, overall: (FEATURE_SHARE * done) / total }),
  });
  const findings = featureFindings(config, extracted);
  const report = await embedMaps(config, dataset, cases, extracted, outputDir, findings, options);
  // Its one file is written under the folder's lock; the minutes of features and layout before need none.
  await writingInto(destination, () => withResultsLock(outputDir, `medseg umap ${config.file}`, () => writeUmapJson(outputDir, report), options.lock), { probe: false });
  return { outputDir, report, findings };
}

/** umap.json into `outputDir`, whose lock the caller holds (one writer for `medseg umap` and `medseg merge`). */
export function writeUmapJson(outputDir: string, report: UmapReport): Promise<void> {
  return writeFileAtomic(resultPath(outputDir, UMAP_FILE), JSON.stringify(report) + '\n');
}

export const UMAP_FILE = 'umap.json';

/**
 * The maps of `cases` from their features: PCA, neighbours, layout and the out-of-distribution
 * test per map, points coloured by the Dice of `outputDir`'s per_image.csv. Findings are added to
 * `findings`. Each matrix is handed to the embedding (it is empty after).
 */
export async function embedMaps(
  config: MedsegConfig,
  dataset: Pick<ResolvedDataset, 'cases' | 'labelColumns'>,
  cases: readonly DatasetCase[],
  extracted: ExtractedFeatures,
  outputDir: string,
  findings: Finding[],
  options: Pick<UmapOptions, 'signal' | 'onProgress' | 'worker'> = {},
): Promise<UmapReport> {
  const settings = config.explain.umap;
  const here = { file: config.file };
  const modelNames = config.models.map((m) => m.name);
  const dice = (await readDiceByImage(outputDir, modelNames)) ?? new Map<string, Record<string, number>>();
  if (dice.size === 0) {
    findings.push({
      code: 'explain/umap-no-results',
      severity: 'info',
      message: 'No per_image.csv in the results folder: the map has no Dice or correctness per image; run `medseg evaluate` first to colour by them.',
      location: here,
    });
  }
  const report: UmapReport = {
    experiment: config.name,
    time: new Date().toISOString(),
    engine_version: ENGINE_VERSION,
    config: config.file,
    seed: settings.seed,
    neighbors: settings.neighbors,
    min_dist: settings.minDist,
    color_by: settings.colorBy,
    correct_dice: config.evaluation.correctDice,
    subsample: { total: dataset.cases.length, kept: cases.length, max_points: settings.maxPoints, rule: SUBSAMPLE_RULE },
    maps: [],
  };
  const hasSplits = cases.some((c) => c.split === 'train') && cases.some((c) => c.split === 'test');
  if (!hasSplits) {
    findings.push({
      code: 'explain/ood-skipped',
      severity: 'info',
      message: 'No out-of-distribution check: it compares test images with training images, and the dataset has no train and test splits.',
      location: here,
      configPath: ['splits'],
    });
  }
  const readable = new Uint8Array(cases.length).fill(1);
  const sources = extracted.sources;
  for (const [m, source] of sources.entries()) {
    // The matrix's buffer goes to the worker: after this, only the map's points are kept.
    const { data, rows, width } = source.matrix.take(readable);
    if (rows.length < 3) {
      findings.push({ code: 'explain/umap-too-few', severity: 'warning', message: `Map \`${source.name}\`: ${rows.length} image(s) are too few for a map (3 at least).`, location: here });
      continue;
    }
    const mapCases = Array.from(rows, (i) => cases[i]);
    const train: number[] = [];
    const test: number[] = [];
    mapCases.forEach((c, i) => {
      if (c.split === 'train') train.push(i);
      else if (c.split === 'test') test.push(i);
    });
    options.signal?.throwIfAborted();
    const share = (1 - FEATURE_SHARE) / sources.length;
    const result = await runEmbedding(
      {
        data,
        n: rows.length,
        d: width,
        neighbors: settings.neighbors,
        minDist: settings.minDist,
        seed: settings.seed,
        neighbourSearch: settings.neighborSearch,
        ...(hasSplits ? { train: Int32Array.from(train), test: Int32Array.from(test) } : {}),
      },
      {
        signal: options.signal,
        worker: options.worker,
        transfer: true,
        onProgress: (phase, fraction) => {
          const [from, to] = PHASE_SHARE[phase];
          options.onProgress?.({ stage: 'embedding', map: source.name, phase, fraction, overall: FEATURE_SHARE + share * (m + from + (to - from) * fraction) });
        },
      },
    );
    const map = mapOf(source, mapCases, width, result, test, dice, config);
    report.maps.push(map);
    pushAll(findings, oodFindings(map, mapCases, dataset.labelColumns, config));
    const recall = result.neighbours.recall;
    if (recall !== undefined && recall < LOW_RECALL) {
      findings.push({
        code: 'explain/umap-low-recall',
        severity: 'warning',
        message: `Map \`${source.name}\`: the approximate neighbour search found ${(100 * recall).toFixed(1)} % of the true 15 nearest neighbours on a sample of ${result.neighbours.recallSample} images (below ${100 * LOW_RECALL} %), so the map may tear apart images that belong together. Set \`explain.umap.neighbor_search: exact\` (slower: every pair of images is compared).`,
        location: here,
        configPath: ['explain', 'umap', 'neighbor_search'],
      });
    }
  }
  return report;
}

/** Below this sampled recall the approximate neighbour graph is reported. */
const LOW_RECALL = 0.9;

function mapOf(source: FeatureSource, cases: readonly DatasetCase[], d: number, r: EmbeddingResult, test: number[], dice: Map<string, Record<string, number>>, config: MedsegConfig): UmapMap {
  const models = config.models.map((m) => m.name);
  const oodByRow = new Map<number, { flag: boolean; distance: number }>();
  if (r.outOfDistribution) test.forEach((row, t) => oodByRow.set(row, { flag: r.outOfDistribution!.flags[t], distance: r.outOfDistribution!.distances[t] }));
  const points = cases.map((c, i): UmapPoint => {
    const scores = dice.get(c.id) ?? {};
    const o = oodByRow.get(i);
    return {
      id: c.id,
      x: r.embedding[2 * i],
      y: r.embedding[2 * i + 1],
      split: c.split ?? null,
      labels: c.labels,
      dice: Object.fromEntries(models.map((m) => [m, scores[m] ?? null])),
      correct: Object.fromEntries(models.map((m) => [m, scores[m] === undefined ? null : scores[m] >= config.evaluation.correctDice])),
      ...(o ? { ood: o.flag, knn_distance: o.distance } : {}),
    };
  });
  const ood = r.outOfDistribution;
  const nb = r.neighbours;
  return {
    name: source.name,
    features: source.features,
    ...(source.model !== undefined ? { model: source.model, layer: source.layer } : {}),
    dims: d,
    pca_dims: r.dims,
    explained_variance: r.explainedVariance,
    epochs: r.epochs,
    neighbor_search: { method: nb.method, k: nb.k, ...(nb.recall !== undefined ? { recall: nb.recall, recall_sample: nb.recallSample! } : {}) },
    seconds: r.seconds,
    ...(ood ? { out_of_distribution: { k: ood.k, percentile: OOD_PERCENTILE, threshold: ood.threshold, test_images: ood.flags.length, count: ood.flags.filter(Boolean).length, search: ood.method } } : {}),
    points,
  };
}

/** One finding per map with out-of-distribution test images, and one per label column that has any. */
export function oodFindings(map: UmapMap, cases: readonly DatasetCase[], labelColumns: readonly string[], config: MedsegConfig): Finding[] {
  const ood = map.out_of_distribution;
  if (!ood || ood.count === 0) return [];
  const flagged = map.points.filter((p) => p.ood);
  const where = { file: config.file };
  const rule = `${OOD_NEIGHBOURS}-NN distance to the training images above the training images' ${OOD_PERCENTILE}th percentile (${ood.threshold.toPrecision(4)})`;
  const findings: Finding[] = [
    {
      code: 'explain/out-of-distribution',
      severity: 'warning',
      message: `Map \`${map.name}\`: ${ood.count} of ${ood.test_images} test images are out of distribution (${rule}): ${flagged.slice(0, 8).map((p) => p.id).join(', ')}${flagged.length > 8 ? ', …' : ''}. Their metrics say little about the training distribution.`,
      location: where,
      configPath: ['explain', 'umap'],
      evidence: { test: `${OOD_NEIGHBOURS}-NN distance vs training ${OOD_PERCENTILE}th percentile`, statistic: ood.count / ood.test_images, effectName: 'share of test images' },
    },
  ];
  const byId = new Map(cases.map((c) => [c.id, c]));
  for (const column of labelColumns) {
    const counts = new Map<string, { test: number; ood: number }>();
    for (const p of map.points) {
      if (p.ood === undefined) continue;
      const value = byId.get(p.id)?.labels[column] ?? '(missing)';
      const e = counts.get(value) ?? { test: 0, ood: 0 };
      e.test++;
      if (p.ood) e.ood++;
      counts.set(value, e);
    }
    const withOod = [...counts.entries()].filter(([, e]) => e.ood > 0);
    if (withOod.length === 0) continue;
    const parts = [...counts.entries()]
      .sort((a, b) => b[1].ood / b[1].test - a[1].ood / a[1].test || (a[0] < b[0] ? -1 : 1))
      .map(([v, e]) => `${v} ${e.ood}/${e.test}`);
    findings.push({
      code: 'explain/out-of-distribution-by-label',
      severity: 'warning',
      message: `Map \`${map.name}\`, out-of-distribution test images by ${column}: ${parts.join(', ')}.`,
      location: where,
      configPath: ['explain', 'umap'],
    });
  }
  return findings;
}
