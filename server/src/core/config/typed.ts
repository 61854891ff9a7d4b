/**
 * From the schema-valid, default-filled YAML value to the typed `MedsegConfig`, with the checks a
 * schema cannot express (one of `path`/`predictions`, unique model names, known placeholders…).
 */
import { basename, dirname, resolve } from 'node:path';
import type { ConfigPath, Finding } from '../findings';
import type { ForegroundRule } from '../io/types';
import { SAFE_NAME_RULE, segmentProblem } from '../util/pathSegment';
import { checkModelRegions, typedModelRegionKeys, typedRegions } from './regions';
import { didYouMean } from './schemaFindings';
import {
  SPLIT_NAMES,
  type DatasetConfig,
  type EvaluationConfig,
  type MedsegConfig,
  type MetricName,
  type FusionName,
  type ModelConfig,
  type Normalization,
  type SplitsConfig,
} from './types';

/* The raw shapes after ajv has filled the schema's defaults (snake_case as in YAML). */
type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const PLACEHOLDER = /\{([^{}]*)\}/g;
const KNOWN_PLACEHOLDERS = ['stem', 'name', 'dir', 'parent'];

export function configNameFromFile(file: string): string {
  return basename(file).replace(/\.medseg\.ya?ml$/i, '').replace(/\.ya?ml$/i, '') || 'experiment';
}

export function toTypedConfig(raw: Raw, file: string): { config?: MedsegConfig; findings: Finding[] } {
  const findings: Finding[] = [];
  const dir = dirname(file);
  const at = (configPath: ConfigPath, severity: Finding['severity'], code: string, message: string, fix?: Finding['fix']) =>
    findings.push({ code, severity, message, configPath, location: { file }, fix });

  const dataset = typedDataset(raw.dataset ?? {}, dir, at);
  const models = typedModels(raw.models ?? [], dir, at);
  checkModelRegions(models, dataset.regions, at);
  const splits = raw.splits ? typedSplits(raw.splits, raw.dataset?.label_columns ?? [], dir, at) : undefined;
  const evaluation = typedEvaluation(raw.evaluation, models, Boolean(splits), at);

  const ex = raw.explain;
  const st = raw.stress;
  const rt = raw.runtime;
  const config: MedsegConfig = {
    file,
    dir,
    name: folderName(raw.name, configNameFromFile(file), `the config's file name ${basename(file)}`, ['name'], at),
    dataset,
    splits,
    models,
    evaluation,
    explain: {
      gradcam: { layer: ex.gradcam.layer, images: ex.gradcam.images, method: ex.gradcam.method, gradients: ex.gradcam.gradients, target: ex.gradcam.target },
      saliency: { samples: ex.saliency.samples, noise: ex.saliency.noise, steps: ex.saliency.steps, seed: ex.saliency.seed },
      umap: {
        features: ex.umap.features,
        neighbors: ex.umap.neighbors,
        minDist: ex.umap.min_dist,
        colorBy: ex.umap.color_by,
        maxPoints: ex.umap.max_points,
        neighborSearch: ex.umap.neighbor_search,
        seed: ex.umap.seed,
      },
    },
    stress: {
      perturbations: st.perturbations,
      labelMixes: st.label_mixes,
      repeats: st.repeats,
      dropThreshold: st.drop_threshold,
      seed: st.seed,
    },
    runtime: { provider: rt.provider, batch: rt.batch, threads: rt.threads, workers: rt.workers, workerPriority: rt.worker_priority, caseBatch: rt.case_batch, cache: resolve(dir, rt.cache) },
    output: resolve(dir, raw.output),
  };
  return { config: findings.some((f) => f.severity === 'error') ? undefined : config, findings };
}

type At = (configPath: ConfigPath, severity: Finding['severity'], code: string, message: string, fix?: Finding['fix']) => void;

/**
 * A name that becomes a results folder (`<output>/<name>/`, `masks/<model>/`): `given`, else the
 * default taken from a file name, which may be `.` or `..` (`..medseg.yaml`) or a device name.
 */
function folderName(given: string | undefined, fallback: string, from: string, configPath: ConfigPath, at: At): string {
  const name = given ?? fallback;
  const problem = segmentProblem(name);
  if (problem) {
    const what = configPath[0] === 'name' ? 'The experiment name' : `The name of model ${Number(configPath[1]) + 1}`;
    const origin = given === undefined ? ` (taken from ${from})` : '';
    at(configPath, 'error', 'config/unsafe-name', `${what} \`${name}\`${origin} ${problem}, so it cannot be a results folder: ${given === undefined ? 'set' : 'change'} \`name\` (${SAFE_NAME_RULE}).`);
  }
  return name;
}

function checkPlaceholders(template: string, configPath: ConfigPath, at: At): void {
  for (const m of template.matchAll(PLACEHOLDER)) {
    if (KNOWN_PLACEHOLDERS.includes(m[1])) continue;
    const suggestion = didYouMean(m[1], KNOWN_PLACEHOLDERS);
    at(
      configPath,
      'error',
      'config/unknown-placeholder',
      `Unknown placeholder \`{${m[1]}}\`: use {stem}, {name}, {dir} or {parent}` + (suggestion ? ` (did you mean \`{${suggestion}}\`?)` : '.'),
      suggestion ? { replacement: `{${suggestion}}`, placeholder: m[0] } : undefined,
    );
  }
}

function typedDataset(d: Raw, dir: string, at: At): DatasetConfig {
  if (!d.images && !d.msd) {
    at(['dataset'], 'error', 'config/no-images', '`dataset` needs `images` (a glob) or `msd` (a Decathlon / nnU-Net folder).');
  }
  if (d.images && d.msd) {
    at(['dataset', 'msd'], 'error', 'config/images-and-msd', '`dataset` has both `images` and `msd`: keep one.');
  }
  if (d.images && !d.masks) {
    at(['dataset', 'images'], 'error', 'config/no-masks', '`dataset` needs `masks` (a template such as `masks/{stem}_mask.png`, or a glob) next to `images`.');
  }
  if (d.masks) checkPlaceholders(d.masks, ['dataset', 'masks'], at);
  const regions = typedRegions(d, at);
  if (!d.labels) {
    if (d.group_column) at(['dataset', 'group_column'], 'warning', 'config/no-labels-file', '`group_column` needs a clinical CSV in `labels`.');
    if (d.label_columns?.length) at(['dataset', 'label_columns'], 'warning', 'config/no-labels-file', '`label_columns` needs a clinical CSV in `labels`.');
  }
  return {
    images: d.images,
    masks: d.masks,
    msd: d.msd ? resolve(dir, d.msd) : undefined,
    labels: d.labels ? resolve(dir, d.labels) : undefined,
    idColumn: d.id_column,
    groupColumn: d.group_column,
    labelColumns: d.label_columns ?? [],
    foreground: regions ? { kind: 'nonzero' } : typedForeground(d.foreground, d.other_labels ?? [], at),
    volumes: d.volumes,
    ...(regions ? { regions, ...(d.other_labels?.length ? { otherLabels: d.other_labels as number[] } : {}) } : {}),
  };
}

/** The foreground rule; other labels only mean something beside a value list, and never overlap it. */
function typedForeground(fg: unknown, otherLabels: number[], at: At): ForegroundRule {
  if (fg === 'nonzero' || fg === undefined) {
    if (otherLabels.length > 0) {
      at(['dataset', 'other_labels'], 'warning', 'config/other-labels', '`other_labels` has no effect with `foreground: nonzero` (every non-zero value is foreground): give `foreground` the target label(s), or remove `other_labels`.');
    }
    return { kind: 'nonzero' };
  }
  const values = Array.isArray(fg) ? (fg as number[]) : [fg as number];
  for (const v of otherLabels.filter((x) => values.includes(x))) {
    at(['dataset', 'other_labels'], 'error', 'config/other-labels', `${v} is both a \`foreground\` value and one of \`other_labels\`: a label is one or the other; remove it from one list.`);
  }
  return otherLabels.length > 0 ? { kind: 'values', values, otherLabels } : { kind: 'values', values };
}

function typedNormalize(n: unknown): Normalization {
  if (n === 'imagenet' || n === 'unit' || n === 'zscore') return { kind: n };
  const o = n as { mean: number[]; std: number[] };
  return { kind: 'explicit', mean: o.mean, std: o.std };
}

/** `output.labels` / `output.region_channels`, present only when written (models without them keep their cache keys). */
function outputRegionKeys(keys: ReturnType<typeof typedModelRegionKeys>): Pick<ModelConfig['output'], 'labels' | 'regionChannels'> {
  return { ...(keys.labels ? { labels: keys.labels } : {}), ...(keys.regionChannels ? { regionChannels: keys.regionChannels } : {}) };
}

function typedModels(list: Raw[], dir: string, at: At): ModelConfig[] {
  const names = new Map<string, number>();
  return list.map((m, index) => {
    if (!m.path && !m.predictions) {
      at(['models', index], 'error', 'config/model-source', 'A model needs `path` (an ONNX file) or `predictions` (a template of existing masks or probability maps).');
    }
    if (m.path && m.predictions) {
      at(['models', index, 'predictions'], 'error', 'config/model-source', 'A model has either `path` or `predictions`, not both: make two models.');
    }
    if (m.predictions) checkPlaceholders(m.predictions, ['models', index, 'predictions'], at);
    const name = folderName(m.name, m.path ? basename(m.path).replace(/\.onnx$/i, '') : `model${index + 1}`, `its file name ${m.path ? basename(m.path) : ''}`, ['models', index, m.name ? 'name' : 'path'], at);
    if (names.has(name)) {
      at(['models', index, m.name ? 'name' : 'path'], 'error', 'config/duplicate-model', `Model name \`${name}\` is used twice (also model ${names.get(name)! + 1}): names must be unique.`);
    } else names.set(name, index);
    const normalize = typedNormalize(m.input.normalize);
    if (normalize.kind === 'explicit') {
      for (const key of ['mean', 'std'] as const) {
        const len = normalize[key].length;
        if (len !== 1 && len !== m.input.channels) {
          at(['models', index, 'input', 'normalize', key], 'error', 'config/normalize-length', `\`${key}\` has ${len} values but the model takes ${m.input.channels} channel(s): give 1 or ${m.input.channels}.`);
        }
      }
    }
    const regionKeys = typedModelRegionKeys(m);
    return {
      name,
      path: m.path ? resolve(dir, m.path) : undefined,
      predictions: m.predictions,
      predictionValues: m.prediction_values ?? 'auto',
      family: m.family,
      input: {
        size: m.input.size as [number, number] | undefined,
        layout: m.input.layout,
        channels: m.input.channels,
        normalize,
      },
      output: { ...(m.output.name !== undefined ? { name: m.output.name } : {}), activation: m.output.activation, channel: m.output.channel, threshold: m.output.threshold, ...outputRegionKeys(regionKeys) },
      ...(regionKeys.region !== undefined ? { region: regionKeys.region } : {}),
      trainSize: m.train_size,
      index,
    };
  });
}

function typedSplits(s: Raw, labelColumns: string[], dir: string, at: At): SplitsConfig {
  if (!s.file && !s.generate) {
    at(['splits'], 'error', 'config/no-split-source', '`splits` needs `file` (a CSV of image_id,split) or `generate` (ratios, stratify, seed).');
  }
  if (s.file && s.generate) {
    at(['splits', 'generate'], 'error', 'config/file-and-generate', '`splits` has both `file` and `generate`: keep one.');
  }
  let generate: SplitsConfig['generate'];
  if (s.generate) {
    const r = { train: 0, val: 0, test: 0, ...s.generate.ratios };
    const total = SPLIT_NAMES.reduce((a, k) => a + r[k], 0);
    if (total <= 0) at(['splits', 'generate', 'ratios'], 'error', 'config/ratios', 'Split ratios must add up to more than 0.');
    const stratify: string[] = s.generate.stratify.length ? s.generate.stratify : labelColumns;
    stratify.forEach((col, i) => {
      if (!labelColumns.includes(col)) {
        at(['splits', 'generate', 'stratify', i], 'warning', 'config/stratify-column', `\`${col}\` is not in \`dataset.label_columns\`; it is read from the CSV all the same.`);
      }
    });
    generate = {
      ratios: { train: r.train / (total || 1), val: r.val / (total || 1), test: r.test / (total || 1) },
      stratify,
      seed: s.generate.seed,
      tries: s.generate.tries,
    };
  }
  return {
    file: s.file ? resolve(dir, s.file) : undefined,
    generate,
    alpha: s.alpha,
    minPerLabel: s.min_per_label,
    targetCiHalfwidth: s.target_ci_halfwidth,
    duplicateDistance: s.duplicate_distance,
  };
}

function typedEvaluation(e: Raw, models: ModelConfig[], hasSplits: boolean, at: At): EvaluationConfig {
  const modelNames = models.map((m) => m.name);
  const families = [...new Set(models.map((m) => m.family))];
  (e.fuse_models as string[] | undefined)?.forEach((ref, i) => {
    const family = ref.startsWith('family:') ? ref.slice('family:'.length) : undefined;
    const ok = family !== undefined ? families.includes(family) : modelNames.includes(ref);
    if (ok) return;
    const pool = family !== undefined ? families : modelNames;
    const suggestion = didYouMean(family ?? ref, pool);
    at(
      ['evaluation', 'fuse_models', i],
      'error',
      'config/unknown-model',
      `\`${ref}\` names no ${family !== undefined ? 'model family' : 'model'} of this config` +
        (suggestion
          ? `: did you mean \`${family !== undefined ? 'family:' : ''}${suggestion}\`?`
          : ` (${family !== undefined ? 'families' : 'models'}: ${[...new Set(pool)].join(', ')}).`),
      suggestion ? { replacement: family !== undefined ? `family:${suggestion}` : suggestion } : undefined,
    );
  });
  if (e.split && e.split !== 'all' && !hasSplits) {
    at(['evaluation', 'split'], 'error', 'config/split-without-splits', `\`evaluation.split: ${e.split}\` needs a \`splits\` section (a split file or a generated split).`);
  }
  return {
    split: e.split ?? (hasSplits ? 'test' : 'all'),
    metrics: e.metrics as MetricName[],
    fusion: e.fusion as FusionName[],
    fuseModels: e.fuse_models,
    correctDice: e.correct_dice,
    targetDice: e.target_dice,
    primaryMetric: e.primary_metric,
    metricSettings: { nsdTolerance: e.nsd_tolerance, boundaryWidth: e.boundary_width, fbetaBeta: e.fbeta_beta },
    compare: { alpha: e.compare.alpha, correction: e.compare.correction },
    bootstrap: e.bootstrap,
    seed: e.seed,
  };
}
