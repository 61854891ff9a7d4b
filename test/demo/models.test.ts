import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ModelConfig, Normalization } from '../../server/src/core/config/types';
import { ModelRunner } from '../../server/src/core/inference';
import type { ImageVolume } from '../../server/src/core/io/types';
import { readModelInfo } from '../../server/src/core/onnx';
import { CT_REGION_MODELS } from '../../server/src/demo/ctRegionModels';
import { DEMO_MODELS, demoModelConfigs, writeDemoModels, type DemoModality } from '../../server/src/demo/models';
import { image, lcg } from '../core/inference/support';

interface Disc {
  cx: number;
  cy: number;
  r: number;
}

const inDisc = (x: number, y: number, d: Disc) => (x + 0.5 - d.cx) ** 2 + (y + 0.5 - d.cy) ** 2 <= d.r ** 2;

/**
 * A synthetic image in the demo's colours: a background, target discs, distractors; plus the
 * truth mask. `paint(x, y)` returns the pixel's colour (or HU); noise is added per sample.
 */
function synth(size: number, channels: number, paint: (x: number, y: number) => number[], noise: number, seed: number, targets: Disc[]) {
  const rand = lcg(seed);
  const signed = channels === 1;
  const data = signed ? new Int16Array(size * size) : new Uint8Array(size * size * channels);
  const truth = new Uint8Array(size * size);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const colour = paint(x, y);
      for (let c = 0; c < channels; c++) {
        const v = Math.round(colour[c] + (rand() + rand() + rand() - 1.5) * 2 * noise);
        data[(y * size + x) * channels + c] = signed ? v : Math.max(0, Math.min(255, v));
      }
      truth[y * size + x] = targets.some((d) => inDisc(x, y, d)) ? 1 : 0;
    }
  return { img: image(size, size, channels, data), truth };
}

const SKIN = [200, 160, 140];
const LESION = [110, 70, 50];
const HAIR = [40, 30, 25];

function dermoscopy(targets: Disc[]) {
  // A 1-px dark hair crossing the skin diagonally: the good model must ignore it.
  const hair = (x: number, y: number) => Math.abs(x - 0.6 * y - 10) < 0.5;
  return synth(128, 3, (x, y) => (targets.some((d) => inDisc(x, y, d)) ? LESION : hair(x, y) ? HAIR : SKIN), 8, 1, targets);
}

function histology(targets: Disc[]) {
  // Gland = pale lumen ringed by dots of nuclei (gaps of stroma between them); mask = whole gland.
  const nucleus = (x: number, y: number) =>
    targets.some((d) => {
      const ring = Math.max(1.5, d.r - 2);
      const count = Math.max(4, Math.round((2 * Math.PI * ring) / 5));
      for (let k = 0; k < count; k++) {
        const a = (2 * Math.PI * k) / count;
        if ((x + 0.5 - (d.cx + ring * Math.cos(a))) ** 2 + (y + 0.5 - (d.cy + ring * Math.sin(a))) ** 2 <= 2.2 ** 2) return true;
      }
      return false;
    });
  return synth(128, 3, (x, y) => (nucleus(x, y) ? [90, 50, 120] : targets.some((d) => inDisc(x, y, d)) ? [245, 235, 245] : [230, 170, 200]), 8, 2, targets);
}

const CT_BONE: Disc = { cx: 20, cy: 78, r: 6 };

function ct(targets: Disc[], tumour?: Disc) {
  // Soft tissue body on air, a bone disc; kidneys (150 HU) with a tumour (90 HU) in the first one.
  const body: Disc = { cx: 48, cy: 48, r: 46 };
  return synth(96, 1, (x, y) => {
    if (tumour && inDisc(x, y, tumour)) return [90];
    if (targets.some((d) => inDisc(x, y, d))) return [150];
    if (inDisc(x, y, CT_BONE)) return [700];
    return inDisc(x, y, body) ? [40] : [-1000];
  }, 12, 3, targets);
}

function toModelConfig(entry: Record<string, unknown>, dir: string, index: number): ModelConfig {
  const input = entry.input as { size: [number, number]; channels: 1 | 3; normalize: string | { mean: number[]; std: number[] } };
  const normalize: Normalization = typeof input.normalize === 'string' ? { kind: 'imagenet' } : { kind: 'explicit', ...input.normalize };
  return {
    name: entry.name as string,
    path: join(dir, entry.path as string),
    family: entry.family as string,
    index,
    input: { size: input.size, layout: 'NCHW', channels: input.channels, normalize },
    output: { activation: 'sigmoid', channel: 0, threshold: 0.5 },
  };
}

const count = (m: Uint8Array) => m.reduce((s, v) => s + v, 0);
function dice(a: Uint8Array, b: Uint8Array): number {
  let inter = 0;
  for (let i = 0; i < a.length; i++) inter += a[i] & b[i];
  return (2 * inter) / (count(a) + count(b));
}
function foregroundNear(mask: Uint8Array, size: number, d: Disc, margin: number): number {
  let n = 0;
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) if (mask[y * size + x] && inDisc(x, y, { ...d, r: d.r + margin })) n++;
  return n;
}

const tmp = mkdtempSync(join(tmpdir(), 'medseg-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const cases: Record<DemoModality, { big: () => { img: ImageVolume; truth: Uint8Array }; smallAndLarge: () => { img: ImageVolume; truth: Uint8Array; small: Disc; large: Disc } }> = {
  dermoscopy: {
    big: () => dermoscopy([{ cx: 70, cy: 60, r: 25 }]),
    smallAndLarge: () => {
      const small = { cx: 20, cy: 108, r: 4 };
      const large = { cx: 80, cy: 60, r: 30 };
      return { ...dermoscopy([small, large]), small, large };
    },
  },
  histology: {
    big: () => histology([{ cx: 64, cy: 64, r: 22 }]),
    smallAndLarge: () => {
      const small = { cx: 18, cy: 110, r: 4 };
      const large = { cx: 80, cy: 56, r: 30 };
      return { ...histology([small, large]), small, large };
    },
  },
  ct: {
    big: () => ct([{ cx: 60, cy: 45, r: 14 }], { cx: 64, cy: 42, r: 5 }),
    smallAndLarge: () => {
      const small = { cx: 22, cy: 30, r: 4 };
      const large = { cx: 56, cy: 52, r: 30 };
      return { ...ct([small, large]), small, large };
    },
  },
};

for (const modality of ['dermoscopy', 'histology', 'ct'] as const) {
  describe(`demo models: ${modality}`, () => {
    const dir = join(tmp, modality);
    const runners = new Map<string, ModelRunner>();
    let paths: string[] = [];
    before(async () => {
      paths = await writeDemoModels(dir, modality);
      const configs = demoModelConfigs(modality);
      for (const [i, entry] of configs.entries()) runners.set(entry.name as string, await ModelRunner.create(toModelConfig(entry, dir, i), { provider: 'cpu', batch: 4, threads: 1 }));
    });
    after(async () => {
      for (const r of runners.values()) await r.dispose();
    });

    test('writes four small ONNX files with a dynamic batch and a one-channel logit output (CT: and the region models after them)', async () => {
      const regionModels = modality === 'ct' ? CT_REGION_MODELS.map((m) => join(dir, 'models', `${m.name}.onnx`)) : [];
      assert.deepEqual(paths, [...DEMO_MODELS.map((m) => join(dir, 'models', `${m.name}.onnx`)), ...regionModels]);
      const [c, h] = modality === 'ct' ? [1, 96] : [3, 128];
      for (const [i, spec] of CT_REGION_MODELS.entries()) {
        if (modality !== 'ct') break;
        const info = await readModelInfo(regionModels[i]);
        assert.deepEqual(info.inputs[0].dims, ['N', 1, h, h]);
        assert.deepEqual(info.outputs[0].dims, ['N', spec.channels, h, h]);
      }
      for (const p of paths.slice(0, DEMO_MODELS.length)) {
        assert.ok(statSync(p).size < 50 * 1024);
        const info = await readModelInfo(p);
        assert.deepEqual(info.inputs[0].dims, ['N', c, h, h]);
        assert.deepEqual(info.outputs[0].dims, ['N', 1, h, h]);
      }
    });

    test('tii-sharp is accurate; tii-over predicts more foreground, lmi-under less', async () => {
      const { img, truth } = cases[modality].big();
      const masks = new Map<string, Uint8Array>();
      for (const [name, runner] of runners) masks.set(name, (await runner.predict(img)).mask);
      const sharp = masks.get('tii-sharp')!;
      const over = masks.get('tii-over')!;
      const under = masks.get('lmi-under')!;
      assert.ok(dice(sharp, truth) > 0.9, `tii-sharp Dice ${dice(sharp, truth)}`);
      assert.ok(count(over) > count(sharp) * 1.15, `over ${count(over)} vs sharp ${count(sharp)}`);
      assert.ok(count(under) < count(sharp) * 0.9, `under ${count(under)} vs sharp ${count(sharp)}`);
      assert.ok(count(over) > count(truth) && count(under) < count(truth));
      assert.ok(dice(over, truth) < dice(sharp, truth) && dice(under, truth) < dice(sharp, truth));
      if (modality === 'ct') assert.equal(foregroundNear(sharp, img.width, CT_BONE, 2), 0, 'bone is not kidney');
    });

    test('lmi-smallmiss misses a 4-px-radius blob but finds a 30-px one (which tii-sharp finds both)', async () => {
      const { img, truth, small, large } = cases[modality].smallAndLarge();
      const sharp = (await runners.get('tii-sharp')!.predict(img)).mask;
      const miss = (await runners.get('lmi-smallmiss')!.predict(img)).mask;
      const size = img.width;
      // "Finds" = at least a quarter of the ≈50-px disc: tii-sharp's threshold sits above vignetted
      // skin, which costs the faint rim of a tiny lesion but not the lesion.
      assert.ok(foregroundNear(sharp, size, small, 1) >= 12, `tii-sharp finds the small blob: ${foregroundNear(sharp, size, small, 1)} px`);
      assert.equal(foregroundNear(miss, size, small, 3), 0);
      const largeTruth = truth.map((v, i) => (v && inDisc(i % size, Math.floor(i / size), large) ? 1 : 0));
      const largeMiss = miss.map((v, i) => (v && inDisc(i % size, Math.floor(i / size), { ...large, r: large.r + 3 }) ? 1 : 0));
      assert.ok(dice(largeMiss, largeTruth) > 0.85, `large blob Dice ${dice(largeMiss, largeTruth)}`);
    });
  });
}
