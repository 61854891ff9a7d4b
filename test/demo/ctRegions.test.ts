/**
 * The CT demo per region (issue 16): the KiTS-shaped set at the smallest scale, its
 * `ct-regions.medseg.yaml`, and what each of its models predicts. The expected values are computed
 * here from the files: the reference label maps, the label-map predictions as written, and the
 * ONNX models' raw channels (each channel through predictImage, the region mapping done here:
 * softmax argmax over labels, one sigmoid per region), not by the evaluation's region code.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../server/src/core/config';
import { regionsOfModel } from '../../server/src/core/config/regions';
import type { ModelConfig } from '../../server/src/core/config/types';
import { resolveDataset } from '../../server/src/core/dataset';
import { evaluateRegions } from '../../server/src/core/evaluate';
import { ModelRunner } from '../../server/src/core/inference';
import { readNifti } from '../../server/src/core/io/niftiRead';
import { generateCt, planCtCohort } from '../../server/src/demo/ct';
import { CT_REGIONS_CONFIG, NNUNET_LIKE_FILE } from '../../server/src/demo/ctRegions';
import { writeDemoModels } from '../../server/src/demo/models';

const SEED = 1;
const SCALE = 0.01; // the smallest: planCtCohort's minimum of 8 scans
const REGIONS = { kidney: [1, 2], tumour: [2] } as const;
type Region = keyof typeof REGIONS;
type Method = 'kits-softmax' | 'kits-regions' | 'nnunet-like' | 'tii-sharp';

interface CaseMasks {
  id: string;
  phase: string;
  tumour: boolean;
  reference: Uint8Array;
  /** Per method, per region: the binary mask as computed in this test. */
  predicted: Partial<Record<Method, Partial<Record<Region, Uint8Array>>>>;
}

let work: string;
let ct: string;
const cases: CaseMasks[] = [];

const inRegion = (labels: Uint8Array | ArrayLike<number>, region: Region) => Uint8Array.from(labels as ArrayLike<number>, (v) => ((REGIONS[region] as readonly number[]).includes(v) ? 1 : 0));
const count = (m: Uint8Array) => m.reduce((s, v) => s + v, 0);
function dice(a: Uint8Array, b: Uint8Array): number {
  let inter = 0;
  for (let i = 0; i < a.length; i++) inter += a[i] & b[i];
  const total = count(a) + count(b);
  return total === 0 ? 1 : (2 * inter) / total;
}
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

function csvRows(file: string): Record<string, string>[] {
  const [head, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
  const cols = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
}

/** One output channel of a model as its own binary model: what predictImage gives for that channel. */
async function channelRunner(model: ModelConfig, activation: 'softmax' | 'sigmoid', channel: number): Promise<ModelRunner> {
  return ModelRunner.create({ ...model, region: undefined, output: { activation, channel, threshold: 0.5 } }, { provider: 'cpu', batch: 12, threads: 1 });
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'medseg-ct-regions-'));
  ct = join(work, 'ct');
  mkdirSync(ct);
  await generateCt(work, { seed: SEED, scale: SCALE });
  await writeDemoModels(ct, 'ct');

  const parsed = await loadConfig(join(ct, CT_REGIONS_CONFIG));
  assert.ok(parsed.config, JSON.stringify(parsed.findings));
  const models = new Map(parsed.config.models.map((m) => [m.name, m]));
  const softmax = await Promise.all([0, 1, 2].map((c) => channelRunner(models.get('kits-softmax')!, 'softmax', c)));
  const sigmoid = await Promise.all([0, 1].map((c) => channelRunner(models.get('kits-regions')!, 'sigmoid', c)));
  const binary = await channelRunner(models.get('tii-sharp')!, 'sigmoid', 0);
  try {
    for (const c of planCtCohort(SEED, SCALE).cases) {
      const folder = join(ct, c.folder);
      const image = await readNifti(join(folder, 'imaging.nii.gz'));
      const reference = Uint8Array.from((await readNifti(join(folder, 'segmentation.nii.gz'))).data as ArrayLike<number>);
      const labelMap = (await readNifti(join(folder, NNUNET_LIKE_FILE))).data as ArrayLike<number>;
      // Softmax: the label of the largest probability; a region is the voxels whose label is in it.
      const [p0, p1, p2] = await Promise.all(softmax.map(async (r) => (await r.predict(image)).prob));
      const argmax = Uint8Array.from(p0, (v, i) => (v >= p1[i] && v >= p2[i] ? 0 : p1[i] >= p2[i] ? 1 : 2));
      const [kidney, tumour] = await Promise.all(sigmoid.map(async (r) => (await r.predict(image)).mask));
      cases.push({
        id: `${c.folder}/imaging`,
        phase: c.labels.contrast_phase,
        tumour: c.labels.tumour === 'yes',
        reference,
        predicted: {
          'kits-softmax': { kidney: inRegion(argmax, 'kidney'), tumour: inRegion(argmax, 'tumour') },
          'kits-regions': { kidney, tumour },
          'nnunet-like': { kidney: inRegion(labelMap, 'kidney'), tumour: inRegion(labelMap, 'tumour') },
          'tii-sharp': { kidney: (await binary.predict(image)).mask },
        },
      });
    }
  } finally {
    for (const r of [...softmax, ...sigmoid, binary]) await r.dispose();
  }
});

after(() => rmSync(work, { recursive: true, force: true }));

function diceOf(c: CaseMasks, method: Method, region: Region): number {
  return dice(c.predicted[method]![region]!, inRegion(c.reference, region));
}

describe('the CT demo per region (ct-regions.medseg.yaml)', () => {
  test('the config parses without findings: KiTS regions, and a model of each mapping', async () => {
    const { config, findings } = await loadConfig(join(ct, CT_REGIONS_CONFIG));
    assert.deepEqual(findings, []);
    assert.deepEqual(config!.dataset.regions, [
      { name: 'kidney', labels: [1, 2] },
      { name: 'tumour', labels: [2], nsdTolerance: 1 },
    ]);
    const byName = new Map(config!.models.map((m) => [m.name, m]));
    assert.deepEqual([...byName.keys()], ['kits-softmax', 'kits-regions', 'nnunet-like', 'tii-sharp']);
    assert.equal(byName.get('kits-softmax')!.output.activation, 'softmax');
    assert.deepEqual(byName.get('kits-regions')!.output.regionChannels, { kidney: 0, tumour: 1 });
    assert.equal(byName.get('nnunet-like')!.predictionValues, 'labels');
    assert.equal(byName.get('tii-sharp')!.region, 'kidney');
    const regionsOf = (name: string) => regionsOfModel(byName.get(name)!, config!.dataset.regions!).map((r) => r.name);
    assert.deepEqual(regionsOf('kits-softmax'), ['kidney', 'tumour']);
    assert.deepEqual(regionsOf('kits-regions'), ['kidney', 'tumour']);
    assert.deepEqual(regionsOf('nnunet-like'), ['kidney', 'tumour']);
    assert.deepEqual(regionsOf('tii-sharp'), ['kidney']);
    assert.deepEqual(config!.evaluation.metrics, ['dice', 'iou', 'sensitivity', 'precision', 'hd95', 'nsd']);
  });

  test('each model errs as the demo says, by Dice computed from the files', () => {
    const enhanced = cases.filter((c) => c.phase !== 'noncontrast');
    const withTumour = enhanced.filter((c) => c.tumour);
    // The cohort has what the checks below need (so none of them passes on an empty list).
    assert.equal(cases.length, 8);
    assert.ok(withTumour.length >= 2 && enhanced.length > withTumour.length, `${withTumour.length} enhanced tumour cases of ${enhanced.length}`);
    const kidneyDice = (m: Method) => mean(enhanced.map((c) => diceOf(c, m, 'kidney')));
    const tumourDice = (m: Method) => mean(withTumour.map((c) => diceOf(c, m, 'tumour')));

    // The label maps: a strong network (border jitter, tumour a voxel off).
    assert.ok(kidneyDice('nnunet-like') > 0.94 && kidneyDice('nnunet-like') < 0.99, `nnunet-like kidney ${kidneyDice('nnunet-like')}`);
    assert.ok(tumourDice('nnunet-like') > 0.7 && tumourDice('nnunet-like') < 0.95, `nnunet-like tumour ${tumourDice('nnunet-like')}`);
    // The ONNX region models find the kidney on contrast scans (the liver is left out)…
    for (const m of ['kits-softmax', 'kits-regions'] as const) assert.ok(kidneyDice(m) > 0.88, `${m} kidney ${kidneyDice(m)}`);
    // …unlike the binary model, whose 65 HU window takes venous liver for kidney.
    assert.ok(kidneyDice('tii-sharp') < kidneyDice('kits-softmax') - 0.1, `tii-sharp kidney ${kidneyDice('tii-sharp')}`);
    // The softmax model under-segments every tumour: fewer tumour voxels than the reference.
    for (const c of withTumour) {
      const predicted = count(c.predicted['kits-softmax']!.tumour!);
      assert.ok(predicted > 0 && predicted < count(inRegion(c.reference, 'tumour')), `${c.id}: ${predicted} tumour voxels`);
    }
    assert.ok(tumourDice('kits-softmax') > 0.2 && tumourDice('kits-softmax') < 0.8, `kits-softmax tumour ${tumourDice('kits-softmax')}`);
    // The sigmoid region model over-calls the tumour: more voxels than the softmax model, and
    // false tumour in scans without one.
    for (const c of withTumour) assert.ok(count(c.predicted['kits-regions']!.tumour!) > count(c.predicted['kits-softmax']!.tumour!), c.id);
    assert.ok(enhanced.some((c) => !c.tumour && count(c.predicted['kits-regions']!.tumour!) > 0));
    // The tumour is the harder region for every model.
    for (const m of ['kits-softmax', 'kits-regions', 'nnunet-like'] as const) assert.ok(tumourDice(m) < kidneyDice(m), m);
    // Without contrast kidney and tumour are soft-tissue grey: no ONNX model sees them.
    for (const c of cases.filter((x) => x.phase === 'noncontrast')) assert.equal(count(c.predicted['kits-softmax']!.kidney!), 0, c.id);
  });

  test('medseg evaluate scores every region of every model as computed here, kidney above tumour', async () => {
    const { config: demoConfig } = await loadConfig(join(ct, CT_REGIONS_CONFIG));
    // Fewer bootstrap resamples than the demo's: the per-image values under test do not use them.
    const config = { ...demoConfig!, evaluation: { ...demoConfig!.evaluation, bootstrap: 100 } };
    const dataset = await resolveDataset(config);
    const out = join(work, 'results');
    const result = await evaluateRegions(config, dataset, { outputDir: out });
    assert.deepEqual(result.findings.filter((f) => f.severity !== 'info'), []);
    const rows = csvRows(join(out, 'per_image.csv'));
    const methods: Record<Region, string[]> = {
      kidney: ['kits-softmax', 'kits-regions', 'nnunet-like', 'tii-sharp', 'fusion:majority', 'fusion:staple'],
      tumour: ['kits-softmax', 'kits-regions', 'nnunet-like', 'fusion:majority', 'fusion:staple'],
    };
    assert.equal(rows.length, cases.length * (methods.kidney.length + methods.tumour.length));
    for (const c of cases) {
      const own = rows.filter((r) => r.image_id === c.id);
      assert.deepEqual(own.map((r) => `${r.region}/${r.method}`), [...methods.kidney.map((m) => `kidney/${m}`), ...methods.tumour.map((m) => `tumour/${m}`)]);
      for (const region of ['kidney', 'tumour'] as const) {
        for (const method of methods[region].filter((m): m is Method => !m.startsWith('fusion:'))) {
          const row = own.find((r) => r.region === region && r.method === method)!;
          const want = diceOf(c, method, region);
          assert.ok(Math.abs(Number(row.dice) - want) < 1e-9, `${c.id} ${region} ${method}: ${row.dice}, computed here ${want}`);
          assert.equal(Number(row.ref_pixels), count(inRegion(c.reference, region)));
        }
      }
    }
    const summaryDice = (region: Region, method: string) => result.summary.regions[region].methods[method].metrics.dice!.mean!;
    assert.ok(summaryDice('kidney', 'kits-softmax') > summaryDice('tumour', 'kits-softmax'));
    assert.ok(Math.abs(summaryDice('kidney', 'kits-softmax') - mean(cases.map((c) => diceOf(c, 'kits-softmax', 'kidney')))) < 1e-9);
    assert.ok(Math.abs(summaryDice('tumour', 'nnunet-like') - mean(cases.map((c) => diceOf(c, 'nnunet-like', 'tumour')))) < 1e-9);
  });
});
