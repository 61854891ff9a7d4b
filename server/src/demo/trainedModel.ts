/**
 * The demo's one learned model. `scripts/train_demo_unet.py` trains a small timm-ResNet U-Net on
 * the synthetic dermoscopy training split and commits it with its training record to
 * `demo-assets/` (dermoscopy-resnet-unet.onnx and .json). When the demo writes the very images it
 * was trained on (the record's seed and image count), the dermoscopy folder gets the model under
 * `models/`, a split file in which the images it learned from are train/val, and
 * `dermoscopy-trained.medseg.yaml` listing it next to the synthetic models. Otherwise — asset
 * missing, record stale or from another demo — the demo goes on without it and says why.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { decodeModel, tensorNames } from '../core/explain/graphSurgery';
import { sha256 } from '../core/util/hash';
import type { DemoSplit } from './cohort';
import { writeTrainedConfig, type DemoConfigSpec, type TrainedModelEntry } from './configs';
import { writeCsv } from './csv';
import type { DermoscopyCase } from './dermoscopy';

export const TRAINED_ASSET = 'dermoscopy-resnet-unet.onnx';
export const TRAINED_SPLIT_FILE = 'splits_trained.csv';
export const TRAINED_MODEL: Omit<TrainedModelEntry, 'path'> = {
  name: 'resnet-unet',
  // The seed's "TII" family is the ResNet-encoder U-Net.
  family: 'TII',
  behaviour: 'a real timm-ResNet U-Net trained on the training images',
};

/** The part of the training record (the .json beside the .onnx) the demo relies on. */
export interface TrainedModelRecord {
  model: string;
  sha256: string;
  input: { size: [number, number]; layout: string; channels: number; normalize: string };
  demo: { modality: string; seed: number; images: number; split_file: string };
  train_ids: string[];
  val_ids: string[];
}

/**
 * The trained U-Net's second-to-last decoder stage, which `dermoscopy-trained-decoder.medseg.yaml`
 * explains: at layer auto (the encoder's last stage, 4×4 at 128×128) this U-Net's Grad-CAM puts
 * little heat on the lesion, since its skip connections, not its bottleneck, carry where the
 * lesion is; a decoder stage shows where the segmentation comes from.
 */
export const TRAINED_DECODER_LAYER = {
  tensor: '/decoder/blocks.3/conv2/conv2.2/Relu_output_0',
  note: 'decoder stage 3 of 5 (decoder.blocks.3, 16×64×64 at 128×128)',
};

export type TrainedModelOutcome =
  | {
      included: true;
      config: string;
      /** The config explaining TRAINED_DECODER_LAYER; absent when the model has no such tensor. */
      decoderConfig?: string;
      model: string;
      splitFile: string;
      splits: Record<DemoSplit, number>;
    }
  | { included: false; asset?: string; reason: string };

/** `demo-assets/dermoscopy-resnet-unet.onnx` beside the bundle (dist/demo.js) or the sources; undefined when neither has it. */
export function defaultTrainedAsset(): string | undefined {
  const candidates = [join(__dirname, '..', 'demo-assets', TRAINED_ASSET), join(__dirname, '..', '..', '..', 'demo-assets', TRAINED_ASSET)];
  return candidates.find((p) => existsSync(p));
}

/** The record's path: the asset's with `.json` for `.onnx`. */
export function recordPath(asset: string): string {
  return asset.replace(/\.onnx$/i, '') + '.json';
}

const isStringList = (x: unknown): x is string[] => Array.isArray(x) && x.every((v) => typeof v === 'string');

/** The record's fields the demo uses, or why it cannot be used. */
export function checkRecord(value: unknown): TrainedModelRecord | string {
  const r = value as Partial<TrainedModelRecord> | null;
  if (typeof r !== 'object' || r === null) return 'it is not a JSON object';
  if (typeof r.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(r.sha256)) return 'it has no `sha256` of the model';
  if (typeof r.demo !== 'object' || r.demo === null || typeof r.demo.seed !== 'number' || typeof r.demo.images !== 'number') return 'it has no `demo.seed` and `demo.images`';
  if (!isStringList(r.train_ids) || r.train_ids.length === 0 || !isStringList(r.val_ids)) return 'it has no `train_ids` and `val_ids` lists';
  const input = r.input;
  if (typeof input !== 'object' || input === null || !Array.isArray(input.size) || typeof input.channels !== 'number') return 'it has no `input` size and channels';
  return r as TrainedModelRecord;
}

/** Why the record does not fit the spec and cohort the demo writes, or undefined when it does. */
function mismatch(record: TrainedModelRecord, spec: DemoConfigSpec, seed: number, cases: readonly DermoscopyCase[]): string | undefined {
  if (record.demo.seed !== seed || record.demo.images !== cases.length) {
    return `it was trained on the images of the demo with seed ${record.demo.seed} and ${record.demo.images} dermoscopy images, and this demo (seed ${seed}, ${cases.length} images) has other images; \`npm run demo\` writes the default demo`;
  }
  const ids = new Set(cases.map((c) => c.id));
  const unknown = [...record.train_ids, ...record.val_ids].filter((id) => !ids.has(id));
  if (unknown.length > 0) return `it lists images this demo does not have (${unknown.slice(0, 3).join(', ')}${unknown.length > 3 ? ', …' : ''}): the demo's images changed since it was trained`;
  const [h, w] = record.input.size;
  if (h !== spec.inputSize[0] || w !== spec.inputSize[1] || record.input.channels !== spec.channels || (record.input.normalize ?? spec.normalize) !== spec.normalize) {
    return `its input (${h}×${w}, ${record.input.channels} channels, ${record.input.normalize}) is not the demo's (${spec.inputSize.join('×')}, ${spec.channels} channels, ${spec.normalize})`;
  }
  return undefined;
}

/**
 * Train and val are the images the model learned from and was selected on; an image is there
 * too when it shares a patient or its pixels (the planted duplicate) with one of them, so that
 * nothing in test is known to the model. Everything else is test.
 */
export function trainedSplits(cases: readonly DermoscopyCase[], record: Pick<TrainedModelRecord, 'train_ids' | 'val_ids'>): Map<string, DemoSplit> {
  // Union-find over images, joined by patient and by picture (a duplicate shares its draw seed).
  const parent = cases.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  const firstOf = new Map<string, number>();
  cases.forEach((c, i) => {
    for (const key of [`patient:${c.patientId}`, `pixels:${c.drawSeed}`]) {
      const j = firstOf.get(key);
      if (j === undefined) firstOf.set(key, i);
      else parent[find(i)] = find(j);
    }
  });
  const train = new Set(record.train_ids);
  const val = new Set(record.val_ids);
  const groupSplit = new Map<number, DemoSplit>();
  cases.forEach((c, i) => {
    const root = find(i);
    if (train.has(c.id)) groupSplit.set(root, 'train');
    else if (val.has(c.id) && groupSplit.get(root) !== 'train') groupSplit.set(root, 'val');
  });
  return new Map(cases.map((c, i) => [c.id, groupSplit.get(find(i)) ?? 'test']));
}

/** The asset, or why it cannot be used; messages name the files without their folder (the demo's README shows them). */
async function readAsset(asset: string): Promise<{ bytes: Uint8Array; record: TrainedModelRecord } | string> {
  const json = basename(recordPath(asset));
  let bytes: Uint8Array;
  let text: string;
  try {
    bytes = await readFile(asset);
  } catch (err) {
    return `it cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`;
  }
  try {
    text = await readFile(recordPath(asset), 'utf8');
  } catch (err) {
    return `its training record ${json} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}); scripts/train_demo_unet.py writes both files`;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return `its training record ${json} is not JSON (${(err as Error).message})`;
  }
  const record = checkRecord(parsed);
  if (typeof record === 'string') return `its training record ${json} is not usable: ${record}`;
  if (sha256(bytes) !== record.sha256) return `it is not the model its record ${json} describes (sha256 differs); run scripts/train_demo_unet.py again to write both`;
  return { bytes, record };
}

/** What an earlier run wrote for the model: a config and split of other images must not outlive it. */
export async function removeTrainedModel(folder: string, spec: DemoConfigSpec): Promise<void> {
  for (const name of [`${spec.modality}-trained.medseg.yaml`, `${spec.modality}-trained-decoder.medseg.yaml`, TRAINED_SPLIT_FILE, join('models', `${TRAINED_MODEL.name}.onnx`)]) {
    await rm(join(folder, name), { force: true });
  }
}

/**
 * Copies the trained model into `<folder>/models/`, writes its split file and config. `cases`
 * are the dermoscopy cohort as written, `seed` the demo's. When the model does not fit, what an
 * earlier run wrote for it is removed and the outcome says why.
 */
export async function addTrainedModel(folder: string, asset: string, spec: DemoConfigSpec, seed: number, cases: readonly DermoscopyCase[]): Promise<TrainedModelOutcome> {
  const read = await readAsset(asset);
  const why = typeof read === 'string' ? read : mismatch(read.record, spec, seed, cases);
  if (typeof read === 'string' || why) {
    await removeTrainedModel(folder, spec);
    return { included: false, asset, reason: `${basename(asset)} is left out: ${why}.` };
  }
  const splits = trainedSplits(cases, read.record);
  const sorted = [...cases].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  await writeCsv(join(folder, TRAINED_SPLIT_FILE), ['image_id', 'split'], sorted.map((c) => [c.id, splits.get(c.id)!]));
  const modelPath = `models/${TRAINED_MODEL.name}.onnx`;
  await mkdir(join(folder, 'models'), { recursive: true });
  await writeFile(join(folder, modelPath), read.bytes);
  const model = { ...TRAINED_MODEL, path: modelPath };
  const config = await writeTrainedConfig(folder, spec, { kind: 'trained', model, splitFile: TRAINED_SPLIT_FILE });
  // A retrained model of another shape may lack the tensor: then only the first config is written.
  const hasDecoderLayer = tensorNames(decodeModel(read.bytes, asset)).has(TRAINED_DECODER_LAYER.tensor);
  const decoderConfig = hasDecoderLayer
    ? await writeTrainedConfig(folder, spec, { kind: 'trained-decoder', model, splitFile: TRAINED_SPLIT_FILE, layer: TRAINED_DECODER_LAYER.tensor, layerNote: TRAINED_DECODER_LAYER.note })
    : undefined;
  if (!hasDecoderLayer) await rm(join(folder, `${spec.modality}-trained-decoder.medseg.yaml`), { force: true });
  const counts: Record<DemoSplit, number> = { train: 0, val: 0, test: 0 };
  for (const split of splits.values()) counts[split]++;
  return { included: true, config, ...(decoderConfig ? { decoderConfig } : {}), model: join(folder, modelPath), splitFile: join(folder, TRAINED_SPLIT_FILE), splits: counts };
}

/**
 * The trained model's part of a dermoscopy run: nothing when it is not wanted (`undefined`), a
 * note when it was looked for and not found (`null`), else `addTrainedModel`.
 */
export async function placeTrainedModel(folder: string, asset: string | null | undefined, spec: DemoConfigSpec, seed: number, cases: readonly DermoscopyCase[]): Promise<TrainedModelOutcome | undefined> {
  if (asset === undefined) return undefined;
  if (asset !== null) return addTrainedModel(folder, asset, spec, seed, cases);
  await removeTrainedModel(folder, spec);
  return { included: false, reason: `${TRAINED_ASSET} (scripts/train_demo_unet.py) is not in demo-assets/ beside MedSeg Eval.` };
}
