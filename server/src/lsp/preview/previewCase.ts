/**
 * `medseg/previewData`: everything the preview draws for one case, from the dataset and the last
 * run's files (RESULTS.md): image, reference, each model's mask, its error map and probability
 * heat map, fusions, the case's metrics, and the neighbours to step to.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { PreviewDataResult, PreviewLayer } from '../../protocol';
import type { MedsegConfig } from '../../core/config';
import type { DatasetCase, ResolvedDataset } from '../../core/dataset/types';
import { predictionProbabilities } from '../../core/evaluate';
import { CAM_METHODS, METHOD_LABELS, type CamMethod } from '../../core/explain/methods';
import { caseFilePath } from '../../core/results/fileNames';
import { ERROR_COLOURS, errorMap, errorMapRgba } from '../../core/fusion';
import { imageExtension, readImage, readMask, readNiftiHeader } from '../../core/io';
import { JobError } from '../engine/protocol';
import { bestModelOf, evaluatedSplitOf, readPerImageRows, readSummary, resultsDirOf, shownConfig } from '../results';
import { isColourImage } from '../../core/report/display';
import { heatLayerPng, hex, imageLayerPng, maskLayerPng, METHOD_COLOURS, REFERENCE_COLOUR, rgbaLayerPng } from './layers';

export interface PreviewRequest {
  image: string;
  slice?: number;
  window?: [number, number];
}

const ERROR_LEGEND = [
  { colour: hex(ERROR_COLOURS.TP), label: 'true positive' },
  { colour: hex(ERROR_COLOURS.FP), label: 'false positive (type I)' },
  { colour: hex(ERROR_COLOURS.FN), label: 'false negative (type II)' },
];

export function findCase(cases: readonly DatasetCase[], image: string): DatasetCase | undefined {
  return cases.find((c) => c.id === image) ?? cases.find((c) => c.image === image);
}

/** The explanation methods with heatmaps in a results folder, in the engine's method order. */
function explainedMethods(dir: string): CamMethod[] {
  let present: string[];
  try {
    present = readdirSync(join(dir, 'heatmaps'));
  } catch {
    return [];
  }
  return CAM_METHODS.filter((m) => present.includes(m));
}

/** A results file of one case and method, `.png` or `.nii.gz` (volumes), when it exists. */
function resultFile(dir: string, kind: string, method: string, id: string): string | undefined {
  for (const ext of ['.png', '.nii.gz']) {
    const file = caseFilePath(dir, kind, method, id, ext);
    if (existsSync(file)) return file;
  }
  return undefined;
}

export async function previewCase(given: MedsegConfig, dataset: ResolvedDataset, request: PreviewRequest, signal?: AbortSignal): Promise<PreviewDataResult> {
  const dir = resultsDirOf(given);
  // A region evaluation is previewed in its first region: that region's reference against its masks.
  const config = shownConfig(given);
  const c = findCase(dataset.cases, request.image);
  if (!c) throw new JobError('unknown-image', `No image \`${request.image}\` in the dataset of ${config.file}.`);

  // A 3D case is shown one axial slice at a time; an axial-slice case is already one slice.
  let depth = 1;
  let slice = 0;
  let readSlice = c.slice;
  const ext = imageExtension(c.image);
  if (c.slice === undefined && (ext === '.nii' || ext === '.nii.gz')) {
    const { dims } = await readNiftiHeader(c.image);
    depth = dims[0] >= 3 ? Math.max(1, dims[3]) : 1;
    slice = Math.min(depth - 1, Math.max(0, Math.round(request.slice ?? Math.floor(depth / 2))));
    readSlice = depth > 1 ? slice : undefined;
  }
  const image = await readImage(c.image, { slice: readSlice });
  signal?.throwIfAborted();
  const { width, height } = image;
  // A window is a grey-level tool: colour images ignore a requested one and get none back.
  const requested = request.window && !isColourImage(image) ? { centre: request.window[0], width: request.window[1] } : undefined;
  const shown = await imageLayerPng(image, requested);
  const layers: PreviewLayer[] = [{ id: 'image', kind: 'image', label: c.id, png: shown.png }];
  const fits = (w: number, h: number) => w === width && h === height;

  let ref: Uint8Array | undefined;
  if (c.mask) {
    const mask = await readMask(c.mask, config.dataset.foreground, { slice: readSlice });
    if (fits(mask.width, mask.height)) {
      ref = mask.data;
      layers.push({ id: 'reference', kind: 'reference', label: 'Reference', png: await maskLayerPng(ref, width, height, REFERENCE_COLOUR) });
    }
  }

  const volumeSlice = depth > 1 ? slice : undefined;
  for (const [i, model] of config.models.entries()) {
    signal?.throwIfAborted();
    const colour = METHOD_COLOURS[i % METHOD_COLOURS.length];
    let pred: Uint8Array | undefined;
    const maskFile = resultFile(dir, 'masks', model.name, c.id);
    if (maskFile) {
      const m = await readMask(maskFile, { kind: 'nonzero' }, { slice: volumeSlice });
      if (fits(m.width, m.height)) pred = m.data;
    } else if (c.predictions[model.name] && existsSync(c.predictions[model.name])) {
      const v = await readImage(c.predictions[model.name], { slice: readSlice });
      if (fits(v.width, v.height)) {
        const p = predictionProbabilities(v);
        pred = new Uint8Array(p.length);
        for (let k = 0; k < p.length; k++) pred[k] = p[k] >= model.output.threshold ? 1 : 0;
      }
    }
    if (pred) {
      layers.push({ id: `prediction:${model.name}`, kind: 'prediction', label: model.name, png: await maskLayerPng(pred, width, height, colour), legend: [{ colour: hex(colour), label: model.name }] });
      if (ref) layers.push({ id: `errors:${model.name}`, kind: 'errors', label: `Errors of ${model.name}`, png: await rgbaLayerPng(errorMapRgba(errorMap(ref, pred), width, height), width, height), legend: ERROR_LEGEND });
    }
    const probFile = resultFile(dir, 'prob', model.name, c.id);
    if (probFile) {
      const v = await readImage(probFile, { slice: volumeSlice });
      if (fits(v.width, v.height)) layers.push({ id: `heatmap:${model.name}`, kind: 'heatmap', label: `Probability of ${model.name}`, png: await heatLayerPng(predictionProbabilities(v), width, height) });
    }
    // `medseg explain` writes 8-bit heatmaps per method (heatmaps/<method>/<model>/) beside the results.
    for (const method of volumeSlice === undefined ? explainedMethods(dir) : []) {
      const camFile = resultFile(dir, `heatmaps/${method}`, model.name, c.id);
      if (!camFile) continue;
      const v = await readImage(camFile);
      if (fits(v.width, v.height)) layers.push({ id: `${method}:${model.name}`, kind: 'heatmap', label: `${METHOD_LABELS[method]} of ${model.name}`, png: await heatLayerPng(predictionProbabilities(v), width, height) });
    }
  }

  const [summary, rows] = await Promise.all([readSummary(dir), readPerImageRows(dir)]);
  const metrics: PreviewDataResult['metrics'] = {};
  for (const r of rows) if (r.imageId === c.id) metrics[r.method] = r.metrics;
  for (const method of Object.keys(metrics).filter((m) => m.startsWith('fusion:'))) {
    const file = resultFile(dir, 'masks', method, c.id);
    if (!file) continue;
    const m = await readMask(file, { kind: 'nonzero' }, { slice: volumeSlice });
    if (fits(m.width, m.height)) layers.push({ id: method, kind: 'fusion', label: method, png: await maskLayerPng(m.data, width, height, [0xff, 0xff, 0xff]) });
  }

  // Stepping stays within the case's split; "next worst" follows the best model's Dice upwards.
  const peers = dataset.cases.filter((x) => x.split === c.split);
  const at = peers.indexOf(c);
  const best = bestModelOf(config, summary);
  let nextWorst: string | undefined;
  if (best) {
    const dice = new Map<string, number>();
    for (const r of rows) if (r.method === best && r.metrics.dice !== undefined) dice.set(r.imageId, r.metrics.dice);
    const ranked = peers.filter((x) => dice.has(x.id)).sort((a, b) => dice.get(a.id)! - dice.get(b.id)! || (a.id < b.id ? -1 : 1));
    const pos = ranked.indexOf(c);
    nextWorst = ranked[pos + 1]?.id;
  }

  return {
    imageId: c.id,
    ...(c.split ? { split: c.split } : {}),
    width,
    height,
    depth,
    slice,
    spacing: image.spacing,
    ...(shown.window ? { window: [shown.window.centre, shown.window.width] as [number, number] } : {}),
    layers,
    metrics,
    ...(evaluatedSplitOf(summary) ? { evaluatedSplit: evaluatedSplitOf(summary) } : {}),
    ...(at > 0 ? { previous: peers[at - 1].id } : {}),
    ...(at >= 0 && at + 1 < peers.length ? { next: peers[at + 1].id } : {}),
    ...(nextWorst ? { nextWorst } : {}),
  };
}
