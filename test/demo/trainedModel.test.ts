/**
 * The trained dermoscopy model in the demo: the split that keeps what it learned from out of test
 * (by hand), the config, split and model file the demo writes when the asset fits, what it does
 * when the asset does not fit (and that it removes what an earlier run wrote), and the committed
 * asset itself: its record, its ONNX signature and its Dice on the demo's test images.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { parseConfig } from '../../server/src/core/config';
import type { ModelConfig } from '../../server/src/core/config/types';
import { ModelRunner } from '../../server/src/core/inference';
import { decodeModel, tensorNames } from '../../server/src/core/explain/graphSurgery';
import { GraphBuilder, readModelInfo } from '../../server/src/core/onnx';
import { createDemoData, type DemoModalitySummary } from '../../server/src/demo';
import { DERMOSCOPY_CONFIG_SPEC, planDermoscopyCohort, type DermoscopyCase } from '../../server/src/demo/dermoscopy';
import { drawDermoscopyImage } from '../../server/src/demo/dermoscopyImage';
import { buildDemoModel } from '../../server/src/demo/models';
import { demoReadme } from '../../server/src/demo/readme';
import { addTrainedModel, checkRecord, defaultTrainedAsset, placeTrainedModel, recordPath, TRAINED_DECODER_LAYER, trainedSplits, type TrainedModelRecord } from '../../server/src/demo/trainedModel';
import { image } from '../core/inference/support';

const SEED = 5;
const SCALE = 0.25;
const REPO = resolve(__dirname, '..', '..');
/** Floors under the committed model's Dice on the demo's test images (drawn here, not JPEG-decoded). */
const MIN_MEAN_DICE = 0.95;
const MIN_IMAGE_DICE = 0.9;

function readCsv(path: string): Map<string, string> {
  const [, ...lines] = readFileSync(path, 'utf8').trimEnd().split('\n');
  return new Map(lines.map((l) => l.split(',') as [string, string]));
}

function dermoscopy(summary: { modalities: DemoModalitySummary[] }): DemoModalitySummary {
  return summary.modalities.find((m) => m.modality === 'dermoscopy')!;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

let work: string;
let cohort: DermoscopyCase[];

/** A model with the trained U-Net's decoder tensor name: a 1×1 conv, renamed, then the logits. */
function modelWithDecoderTensor(): Uint8Array {
  const g = new GraphBuilder('fake-unet');
  const x = g.input('image', ['N', 3, 128, 128]);
  const features = g.node('Relu', [g.conv(x, { weights: [1, 1, 1], shape: [1, 3, 1, 1] })], TRAINED_DECODER_LAYER.tensor);
  g.output(g.node('Identity', [features], 'logits'), ['N', 1, 128, 128]);
  return g.build();
}

/**
 * A stand-in asset (a synthetic demo model, or one with the decoder tensor) with a record for the
 * seed-5, scale-0.25 demo.
 */
function fakeAsset(folder: string, edit: (r: TrainedModelRecord) => void = () => {}, withDecoder = false): string {
  const asset = join(folder, 'fake-unet.onnx');
  const bytes = withDecoder ? modelWithDecoderTensor() : buildDemoModel('dermoscopy', 'tii-sharp');
  writeFileSync(asset, bytes);
  const record: TrainedModelRecord = {
    model: 'fake-unet.onnx',
    sha256: sha256(bytes),
    input: { size: [128, 128], layout: 'NCHW', channels: 3, normalize: 'imagenet' },
    demo: { modality: 'dermoscopy', seed: SEED, images: cohort.length, split_file: 'splits_clean.csv' },
    train_ids: cohort.slice(0, 12).map((c) => c.id),
    val_ids: cohort.slice(12, 16).map((c) => c.id),
  };
  edit(record);
  writeFileSync(recordPath(asset), JSON.stringify(record));
  return asset;
}

before(() => {
  work = mkdtempSync(join(tmpdir(), 'medseg-trained-'));
  cohort = planDermoscopyCohort(SEED, SCALE).cases;
});
after(() => rmSync(work, { recursive: true, force: true }));

describe('trainedSplits', () => {
  const c = (id: string, patientId: string, drawSeed: number): DermoscopyCase => ({ id, patientId, drawSeed, labels: {} });

  test('train and val follow their patients and their pixels; everything else is test', () => {
    const cases = [
      c('a', 'P1', 1),
      c('b', 'P1', 2), // a's patient → train
      c('c', 'P2', 3),
      c('d', 'P3', 4),
      c('e', 'P3', 5), // d's patient → val
      c('f', 'P4', 3), // c's pixels under another patient → train
      c('g', 'P4', 6), // f's patient, so c's group → train
      c('h', 'P5', 7),
      c('i', 'P6', 8),
      c('j', 'P6', 9), // a patient with one image trained on and one validated on: train wins
    ];
    const splits = trainedSplits(cases, { train_ids: ['a', 'c', 'i'], val_ids: ['d', 'j'] });
    assert.deepEqual(Object.fromEntries(splits), { a: 'train', b: 'train', c: 'train', d: 'val', e: 'val', f: 'train', g: 'train', h: 'test', i: 'train', j: 'train' });
  });
});

describe('createDemoData with a trained model', () => {
  let summary: Awaited<ReturnType<typeof createDemoData>>;
  let plain: Awaited<ReturnType<typeof createDemoData>>;
  let asset: string;

  before(async () => {
    asset = fakeAsset(work, undefined, true);
    summary = await createDemoData(join(work, 'with'), { seed: SEED, scale: SCALE, trainedModel: asset });
    plain = await createDemoData(join(work, 'without'), { seed: SEED, scale: SCALE, trainedModel: false });
  });

  test('writes the model, its split and a config listing it before the four synthetic models', () => {
    const m = dermoscopy(summary);
    assert.ok(m.trainedModel?.included, JSON.stringify(m.trainedModel));
    const config = join(m.folder, 'dermoscopy-trained.medseg.yaml');
    assert.equal(m.trainedModel.config, config);
    assert.ok(readFileSync(join(m.folder, 'models', 'resnet-unet.onnx')).equals(readFileSync(asset)));
    const text = readFileSync(config, 'utf8');
    assert.match(text.split('\n')[0], /^# SYNTHETIC/);
    assert.match(text, /real network trained on this folder's synthetic training images/);
    assert.match(text, /Left on this clean split, by design of a small demo/, 'its split is the clean one: the same notes stay');
    assert.deepEqual(parseConfig(text, config).findings.filter((f) => f.severity === 'error'), []);
    const yaml = parseYaml(text);
    assert.equal(yaml.name, 'dermoscopy-demo-trained');
    assert.equal(yaml.splits.file, 'splits_trained.csv');
    assert.deepEqual(yaml.models.map((x: { name: string }) => x.name), ['resnet-unet', 'tii-sharp', 'tii-over', 'lmi-under', 'lmi-smallmiss']);
    assert.deepEqual(yaml.models.map((x: { path: string }) => x.path), ['models/resnet-unet.onnx', 'models/tii-sharp.onnx', 'models/tii-over.onnx', 'models/lmi-under.onnx', 'models/lmi-smallmiss.onnx']);
    assert.deepEqual(yaml.models[0].input, { size: [128, 128], layout: 'NCHW', channels: 3, normalize: 'imagenet' });
    assert.deepEqual(yaml.models[0].output, { activation: 'sigmoid', threshold: 0.5 });
    assert.deepEqual(yaml.evaluation, { split: 'test', fusion: ['union', 'intersection', 'majority', 'staple', 'best'] });
  });

  test('a model with the decoder tensor also gets a config that explains it alone at that layer; one without does not', async () => {
    const m = dermoscopy(summary);
    assert.ok(m.trainedModel?.included);
    const config = join(m.folder, 'dermoscopy-trained-decoder.medseg.yaml');
    assert.equal(m.trainedModel.decoderConfig, config);
    const text = readFileSync(config, 'utf8');
    assert.deepEqual(parseConfig(text, config).findings.filter((f) => f.severity === 'error'), []);
    const yaml = parseYaml(text);
    assert.equal(yaml.name, 'dermoscopy-demo-trained-decoder');
    assert.deepEqual(yaml.models.map((x: { name: string }) => x.name), ['resnet-unet']);
    assert.deepEqual(yaml.explain, { gradcam: { layer: '/decoder/blocks.3/conv2/conv2.2/Relu_output_0' } });
    assert.deepEqual(yaml.evaluation, { split: 'test', fusion: [] });
    assert.equal(yaml.splits.file, 'splits_trained.csv');
    assert.match(text, /Grad-CAM here explains decoder stage 3 of 5/);
    assert.match(readFileSync(join(summary.root, 'README.md'), 'utf8'), /`dermoscopy-trained-decoder\.medseg\.yaml` lists `resnet-unet` alone/);

    const folder = join(work, 'no-decoder');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'dermoscopy-trained-decoder.medseg.yaml'), 'left by a run with another model');
    const outcome = await addTrainedModel(folder, fakeAsset(work), DERMOSCOPY_CONFIG_SPEC, SEED, cohort);
    assert.ok(outcome.included && !('decoderConfig' in outcome));
    assert.ok(existsSync(join(folder, 'dermoscopy-trained.medseg.yaml')));
    assert.ok(!existsSync(join(folder, 'dermoscopy-trained-decoder.medseg.yaml')));
  });

  test('splits_trained.csv: what the model learned from is train/val, no patient and no duplicate reaches test', () => {
    const m = dermoscopy(summary);
    const splits = readCsv(join(m.folder, 'splits_trained.csv'));
    assert.deepEqual([...splits.keys()].sort(), cohort.map((c) => c.id).sort());
    for (const id of cohort.slice(0, 12).map((c) => c.id)) assert.equal(splits.get(id), 'train', id);
    for (const id of cohort.slice(12, 16).map((c) => c.id)) assert.notEqual(splits.get(id), 'test', id);
    const seen = cohort.filter((c) => splits.get(c.id) !== 'test');
    for (const c of cohort.filter((x) => splits.get(x.id) === 'test')) {
      assert.ok(!seen.some((s) => s.patientId === c.patientId || s.drawSeed === c.drawSeed), `${c.id} shares a patient or pixels with a train/val image`);
    }
    const [original, copy] = m.duplicate!;
    assert.equal(splits.get(original), splits.get(copy));
    const counts = { train: 0, val: 0, test: 0 };
    for (const s of splits.values()) counts[s as keyof typeof counts]++;
    assert.deepEqual(m.trainedModel!.included && m.trainedModel!.splits, counts);
    assert.ok(counts.test > 0);
  });

  test('the other configs and data are those of a demo without it; the README names it', () => {
    const a = dermoscopy(summary).folder;
    const b = dermoscopy(plain).folder;
    for (const file of ['dermoscopy.medseg.yaml', 'dermoscopy-clean.medseg.yaml', 'splits.csv', 'splits_clean.csv', 'clinical.csv']) {
      assert.ok(readFileSync(join(a, file)).equals(readFileSync(join(b, file))), file);
    }
    assert.equal(dermoscopy(plain).trainedModel, undefined);
    assert.ok(!existsSync(join(b, 'dermoscopy-trained.medseg.yaml')));
    const readme = readFileSync(join(summary.root, 'README.md'), 'utf8');
    assert.match(readme, /\| `resnet-unet` \(dermoscopy\) \| TII \|/);
    assert.match(readme, /`dermoscopy-trained\.medseg\.yaml` adds `resnet-unet`/);
    assert.doesNotMatch(readFileSync(join(plain.root, 'README.md'), 'utf8'), /resnet-unet/);
  });

  test('an asset that does not fit is left out with the reason, and what an earlier run wrote for it goes', async () => {
    const misfits: [string, (r: TrainedModelRecord) => void, RegExp][] = [
      ['seed', (r) => (r.demo.seed = 1), /trained on the images of the demo with seed 1 and \d+ dermoscopy images, and this demo \(seed 5, \d+ images\) has other images/],
      ['ids', (r) => (r.train_ids = ['ISIC_9999999']), /lists images this demo does not have \(ISIC_9999999\)/],
      ['sha', (r) => (r.sha256 = '0'.repeat(64)), /not the model its record fake-unet\.json describes \(sha256 differs\)/],
      ['input', (r) => (r.input.size = [256, 256]), /its input \(256×256, 3 channels, imagenet\) is not the demo's \(128×128/],
      ['record', (r) => (r.train_ids = 'all' as unknown as string[]), /record fake-unet\.json is not usable: it has no `train_ids` and `val_ids` lists/],
    ];
    for (const [name, edit, reason] of misfits) {
      const folder = join(work, 'misfits', name);
      mkdirSync(folder, { recursive: true });
      const fits = await addTrainedModel(folder, fakeAsset(work, undefined, true), DERMOSCOPY_CONFIG_SPEC, SEED, cohort);
      assert.ok(fits.included && existsSync(fits.config) && existsSync(fits.decoderConfig!) && existsSync(fits.model) && existsSync(fits.splitFile));
      const outcome = await addTrainedModel(folder, fakeAsset(work, edit), DERMOSCOPY_CONFIG_SPEC, SEED, cohort);
      assert.equal(outcome.included, false, name);
      assert.match(!outcome.included ? outcome.reason : '', reason);
      assert.match(!outcome.included ? outcome.reason : '', /^fake-unet\.onnx is left out: /);
      for (const stale of [fits.config, fits.model, fits.splitFile, join(folder, 'dermoscopy-trained-decoder.medseg.yaml')]) assert.ok(!existsSync(stale), `${name}: ${stale} removed`);
    }
    const lonely = join(work, 'lonely.onnx');
    copyFileSync(fakeAsset(work), lonely);
    const outcome = await addTrainedModel(join(work, 'misfits', 'lonely'), lonely, DERMOSCOPY_CONFIG_SPEC, SEED, cohort);
    assert.match(!outcome.included ? outcome.reason : '', /training record lonely\.json cannot be read \(ENOENT\)/);
    const missing = await addTrainedModel(join(work, 'misfits', 'missing'), join(work, 'nowhere.onnx'), DERMOSCOPY_CONFIG_SPEC, SEED, cohort);
    assert.match(!missing.included ? missing.reason : '', /nowhere\.onnx is left out: it cannot be read \(ENOENT\)/);
  });

  test('without the asset the demo says where it looks and removes what an earlier run wrote for it; unwanted, it does nothing', async () => {
    const folder = join(work, 'absent');
    mkdirSync(folder, { recursive: true });
    const fits = await addTrainedModel(folder, fakeAsset(work, undefined, true), DERMOSCOPY_CONFIG_SPEC, SEED, cohort);
    assert.ok(fits.included);
    assert.equal(await placeTrainedModel(folder, undefined, DERMOSCOPY_CONFIG_SPEC, SEED, cohort), undefined);
    assert.ok(existsSync(fits.config), 'not wanted: nothing is touched');
    assert.deepEqual(await placeTrainedModel(folder, null, DERMOSCOPY_CONFIG_SPEC, SEED, cohort), {
      included: false,
      reason: 'dermoscopy-resnet-unet.onnx (scripts/train_demo_unet.py) is not in demo-assets/ beside MedSeg Eval.',
    });
    for (const stale of [fits.config, fits.decoderConfig!, fits.model, fits.splitFile]) assert.ok(!existsSync(stale), stale);
  });

  test("the README says why a model that does not fit is not there", () => {
    const m = dermoscopy(plain);
    const readme = demoReadme(SEED, [{ ...m, trainedModel: { included: false, reason: 'fake-unet.onnx is left out: it is a test.' } }]);
    assert.match(readme, /- The trained model `resnet-unet` is not here: fake-unet\.onnx is left out: it is a test\./);
    assert.doesNotMatch(readme, /\| `resnet-unet`/);
  });
});

describe('the committed asset (demo-assets/)', () => {
  const asset = join(REPO, 'demo-assets', 'dermoscopy-resnet-unet.onnx');
  let record: TrainedModelRecord;
  let demoCohort: DermoscopyCase[];

  before(() => {
    const checked = checkRecord(JSON.parse(readFileSync(recordPath(asset), 'utf8')));
    assert.equal(typeof checked, 'object', String(checked));
    record = checked as TrainedModelRecord;
    demoCohort = planDermoscopyCohort(1, 1).cases;
  });

  test('is what the demo finds by default, small, and the model its record describes', async () => {
    assert.equal(defaultTrainedAsset(), asset);
    const bytes = readFileSync(asset);
    assert.equal(sha256(bytes), record.sha256);
    assert.ok(statSync(asset).size < 4e6, `${statSync(asset).size} bytes`);
    const info = await readModelInfo(asset);
    assert.equal(info.opset, 17);
    assert.deepEqual(info.inputs.map((t) => [t.name, t.elementType, t.dims]), [['image', 'float32', ['N', 3, 128, 128]]]);
    assert.deepEqual(info.outputs.map((t) => [t.name, t.elementType, t.dims]), [['logits', 'float32', ['N', 1, 128, 128]]]);
    assert.ok(tensorNames(decodeModel(bytes)).has(TRAINED_DECODER_LAYER.tensor), 'the decoder config can name its layer');
  });

  test("was trained on the default demo's images; its test split is disjoint from them", () => {
    assert.deepEqual([record.demo.seed, record.demo.images], [1, demoCohort.length]);
    const ids = new Set(demoCohort.map((c) => c.id));
    assert.ok([...record.train_ids, ...record.val_ids].every((id) => ids.has(id)));
    assert.equal(new Set([...record.train_ids, ...record.val_ids]).size, record.train_ids.length + record.val_ids.length, 'train and val overlap');
    const splits = trainedSplits(demoCohort, record);
    const test = demoCohort.filter((c) => splits.get(c.id) === 'test');
    assert.ok(test.length >= 15, `${test.length} test images`);
    for (const c of test) assert.ok(!record.train_ids.includes(c.id) && !record.val_ids.includes(c.id));
  });

  test("segments the demo's test images (drawn again here): retrain it when the drawing changes", async () => {
    const splits = trainedSplits(demoCohort, record);
    const test = demoCohort.filter((c) => splits.get(c.id) === 'test');
    const model: ModelConfig = {
      name: 'resnet-unet',
      path: asset,
      family: 'TII',
      index: 0,
      input: { size: [128, 128], layout: 'NCHW', channels: 3, normalize: { kind: 'imagenet' } },
      output: { activation: 'sigmoid', channel: 0, threshold: 0.5 },
    };
    const runner = await ModelRunner.create(model, { provider: 'cpu', batch: 4, threads: 1 });
    const dice: number[] = [];
    try {
      for (const c of test) {
        const drawn = drawDermoscopyImage(c.drawSeed, c.labels.diagnosis);
        const predicted = (await runner.predict(image(drawn.width, drawn.height, 3, drawn.rgb))).mask;
        let inter = 0;
        let sum = 0;
        for (let i = 0; i < predicted.length; i++) {
          inter += predicted[i] & drawn.mask[i];
          sum += predicted[i] + drawn.mask[i];
        }
        dice.push(sum === 0 ? 1 : (2 * inter) / sum);
      }
    } finally {
      await runner.dispose();
    }
    const mean = dice.reduce((s, d) => s + d, 0) / dice.length;
    assert.ok(mean >= MIN_MEAN_DICE, `mean Dice ${mean.toFixed(3)} on ${dice.length} test images`);
    assert.ok(dice.every((d) => d >= MIN_IMAGE_DICE), `per-image Dice ${dice.map((d) => d.toFixed(2)).join(' ')}`);
  });
});
