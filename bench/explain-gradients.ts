/**
 * Exact Grad-CAM (issue 14): cost and agreement, side by side in one run.
 *
 *   npm run build && python3 bench/fixtures/make_resnet34_unet.py   # once: the ResNet34 U-Net exports + autograd reference
 *   node --import tsx bench/explain-gradients.ts [--quick]
 *
 * 1. Cost per image: one forward pass of the whole model (a plain session, batch 1 and the
 *    explainer's batch), Grad-CAM from the generated backward graph (batched), and Grad-CAM by
 *    finite differences (the fallback), for the bench U-Net (1.96 M parameters, 256×256) and the
 *    timm-ResNet34 U-Net (24 M parameters) at 128×128 and 256×256, layer4 and a decoder stage.
 *    Goal: exact ≤ 3× one forward pass.
 * 2. Agreement on the real PyTorch export, against PyTorch autograd in float64 (4 images, target
 *    = a reference region): Grad-CAM weights (max |Δ| / max |w|) and maps (Pearson r) of the
 *    exact gradients and of the finite differences; and exact against differences directly.
 *    Goals: r ≥ 0.999 on every image.
 * CPU provider, all cores; load average printed, as the machine may be shared.
 */
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { ModelExplainer } from '../server/src/core/explain';
import type { ModelConfig } from '../server/src/core/config/types';
import type { ImageVolume } from '../server/src/core/io/types';
import { createRandom } from '../server/src/core/util/random';
import { buildUnet } from './support/unet';
import { maxRelativeError, pearson } from '../test/core/onnx/reference/gradient';

const quick = process.argv.includes('--quick');
const runtime = { provider: 'cpu' as const, batch: 8, threads: 0 };
const FIXTURES = join(__dirname, 'fixtures', 'out');

function randomImage(size: number, seed: number): ImageVolume {
  const r = createRandom(seed);
  const data = Uint8Array.from({ length: size * size * 3 }, () => r.int(256));
  return { width: size, height: size, depth: 1, channels: 3, data, bitDepth: 8, spacing: [1, 1, 1], spacingKnown: false, format: 'png' };
}

function disk(size: number): Uint8Array {
  const r = size / 4;
  return Uint8Array.from({ length: size * size }, (_, i) => (((i % size) - size / 2) ** 2 + (Math.floor(i / size) - size / 2) ** 2 <= r * r ? 1 : 0));
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function config(name: string, path: string, size: number, normalize: ModelConfig['input']['normalize'] = { kind: 'imagenet' }): ModelConfig {
  return { name, path, family: 'bench', index: 0, input: { size: [size, size], layout: 'NCHW', channels: 3, normalize }, output: { activation: 'sigmoid', channel: 0, threshold: 0.5 } };
}

/** Median seconds per image of a plain forward run at `batch`. */
async function forwardSeconds(bytes: Uint8Array, size: number, batch: number, repeats: number): Promise<number> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], graphOptimizationLevel: 'all' });
  try {
    const data = new Float32Array(batch * 3 * size * size);
    const r = createRandom(1);
    for (let i = 0; i < data.length; i++) data[i] = r.normal();
    const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', data, [batch, 3, size, size]) };
    await session.run(feeds);
    const times: number[] = [];
    for (let k = 0; k < repeats; k++) {
      const t = performance.now();
      await session.run(feeds);
      times.push((performance.now() - t) / 1000 / batch);
    }
    return median(times);
  } finally {
    await session.release();
  }
}

interface CostRow {
  model: string;
  layer: string;
  batch: number;
  forward1: number;
  forwardB: number;
  exact: number;
  differences?: number;
  differenceRuns?: number;
}

async function cost(name: string, bytes: Uint8Array, size: number, layer: string | undefined, differenceImages: number): Promise<CostRow> {
  const cfg = config(name, `${name}.onnx`, size);
  const explainer = await ModelExplainer.create(cfg, bytes, runtime, { layer });
  try {
    const reference = disk(size);
    const batch = await explainer.preferredBatch({ method: 'gradcam', target: 'reference' });
    const items = (seed: number) => Array.from({ length: batch }, (_, k) => ({ image: randomImage(size, seed + k), reference }));
    await explainer.explainBatch(items(900), { method: 'gradcam', target: 'reference' }); // warm-up: allocation at this batch size
    const times: number[] = [];
    for (let k = 0; k < (quick ? 2 : 5); k++) {
      const batchItems = items(100 * k); // made before the clock starts: the images are the bench's, not Grad-CAM's cost
      const t = performance.now();
      const out = await explainer.explainBatch(batchItems, { method: 'gradcam', target: 'reference' });
      if (out[0].gradient !== 'exact') throw new Error(`${name}: expected exact gradients, got ${out[0].gradient}`);
      times.push((performance.now() - t) / 1000 / batch);
    }
    let differences: number | undefined;
    let differenceRuns: number | undefined;
    if (differenceImages > 0) {
      const t = performance.now();
      for (let k = 0; k < differenceImages; k++) {
        const e = await explainer.explainImage(randomImage(size, 500 + k), { method: 'gradcam', target: 'reference', reference, gradients: 'differences' });
        differenceRuns = e.evaluations;
      }
      differences = (performance.now() - t) / 1000 / differenceImages;
    }
    const row: CostRow = {
      model: name,
      layer: `${explainer.layer.name} [${explainer.layer.channels}×${explainer.layer.height}×${explainer.layer.width}]`,
      batch,
      forward1: await forwardSeconds(bytes, size, 1, quick ? 3 : 10),
      forwardB: await forwardSeconds(bytes, size, batch, quick ? 2 : 5),
      exact: median(times),
      differences,
      differenceRuns,
    };
    return row;
  } finally {
    await explainer.dispose();
  }
}

interface Entry {
  file: string;
  dims: number[];
}

function readF32(folder: string, e: Entry): Float32Array {
  const b = readFileSync(join(folder, e.file));
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** Agreement with autograd on the ResNet34 U-Net export: per layer, exact and differences against torch float64. */
async function agreement(folder: string): Promise<string[]> {
  const index = JSON.parse(readFileSync(join(folder, 'reference.json'), 'utf8'));
  const size: number = index.size;
  const input = readF32(folder, index.input);
  const masks = readF32(folder, index.targets.reference.mask);
  const images = index.images as number;
  const plane = size * size;
  const lines: string[] = [];
  for (const [layerKey, layerInfo] of Object.entries(index.layers) as [string, { onnx_tensor: string }][]) {
    // The preprocessed input as a float image with the identity normalisation.
    const cfg = config('resnet34', join(folder, index.model), size, { kind: 'explicit', mean: [0, 0, 0], std: [1, 1, 1] });
    const explainer = await ModelExplainer.create(cfg, readFileSync(join(folder, index.model)), runtime, { layer: layerInfo.onnx_tensor });
    const want = index.targets.reference.layers[layerKey];
    const wantWeights = readF32(folder, want.weights);
    const wantCam = readF32(folder, want.cam);
    const C = want.weights.dims[1];
    const camSize = wantCam.length / images;
    let worst = { exactR: 1, exactW: 0, diffR: 1, diffW: 0, crossR: 1 };
    for (let k = 0; k < images; k++) {
      const data = new Float32Array(plane * 3);
      for (let c = 0; c < 3; c++) for (let i = 0; i < plane; i++) data[i * 3 + c] = input[(k * 3 + c) * plane + i];
      const image: ImageVolume = { width: size, height: size, depth: 1, channels: 3, data, bitDepth: 32, spacing: [1, 1, 1], spacingKnown: false, format: 'nifti' };
      const reference = Uint8Array.from(masks.subarray(k * plane, (k + 1) * plane), (v) => (v > 0.5 ? 1 : 0));
      const exact = await explainer.explainImage(image, { method: 'gradcam', target: 'reference', reference });
      const diff = await explainer.explainImage(image, { method: 'gradcam', target: 'reference', reference, gradients: 'differences' });
      const w = wantWeights.subarray(k * C, (k + 1) * C);
      const cam = wantCam.subarray(k * camSize, (k + 1) * camSize);
      worst = {
        exactR: Math.min(worst.exactR, pearson(exact.cam, cam)),
        exactW: Math.max(worst.exactW, maxRelativeError(exact.weights!, w)),
        diffR: Math.min(worst.diffR, pearson(diff.cam, cam)),
        diffW: Math.max(worst.diffW, maxRelativeError(diff.weights!, w)),
        crossR: Math.min(worst.crossR, pearson(exact.cam, diff.cam)),
      };
    }
    await explainer.dispose();
    lines.push(
      `| ResNet34 U-Net ${size}² · ${layerKey} | ${worst.exactW.toExponential(1)} | ${worst.exactR.toFixed(6)} | ${worst.diffW.toExponential(1)} | ${worst.diffR.toFixed(6)} | ${worst.crossR.toFixed(6)} |`,
    );
  }
  return lines;
}

function s(x: number | undefined): string {
  if (x === undefined) return '–';
  return x < 1 ? `${(x * 1000).toFixed(1)} ms` : `${x.toFixed(2)} s`;
}

async function main(): Promise<void> {
  process.stdout.write(`# exact Grad-CAM · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · Node ${process.version}${quick ? ' · quick' : ''}\n`);
  process.stdout.write(`load average at start ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n\n`);
  const rows: CostRow[] = [];
  const unet = buildUnet(256);
  rows.push(await cost(`U-Net ${(unet.parameters / 1e6).toFixed(2)} M, 256²`, unet.bytes, 256, undefined, quick ? 1 : 2));
  for (const size of [128, 256]) {
    const folder = join(FIXTURES, `resnet34_unet_${size}`);
    if (!existsSync(join(folder, 'model.onnx'))) {
      process.stdout.write(`(no ${folder}: run python3 bench/fixtures/make_resnet34_unet.py for the ResNet34 U-Net rows)\n`);
      continue;
    }
    const bytes = readFileSync(join(folder, 'model.onnx'));
    const index = JSON.parse(readFileSync(join(folder, 'reference.json'), 'utf8'));
    for (const layer of Object.values(index.layers) as { onnx_tensor: string }[]) {
      if (size === 256 && !layer.onnx_tensor.includes('layer4')) continue;
      rows.push(await cost(`ResNet34 U-Net 24.4 M, ${size}²`, bytes, size, layer.onnx_tensor, quick ? 0 : size === 128 ? 1 : 0));
    }
  }
  process.stdout.write('\n| model | layer | batch | forward / image (batch 1) | forward / image (batch) | **exact Grad-CAM / image** | exact ÷ forward | finite differences / image (tail runs) |\n|---|---|---:|---:|---:|---:|---:|---:|\n');
  for (const r of rows) {
    process.stdout.write(`| ${r.model} | ${r.layer} | ${r.batch} | ${s(r.forward1)} | ${s(r.forwardB)} | ${s(r.exact)} | **${(r.exact / r.forward1).toFixed(2)}×** (${(r.exact / r.forwardB).toFixed(2)}× batched) | ${s(r.differences)}${r.differenceRuns ? ` (${r.differenceRuns})` : ''} |\n`);
  }
  process.stdout.write('\n| model · layer (4 images, target: a reference region) | exact: weights max Δ / max | exact: min map r | differences: weights max Δ / max | differences: min map r | exact vs differences: min r |\n|---|---:|---:|---:|---:|---:|\n');
  for (const size of [128]) {
    const folder = join(FIXTURES, `resnet34_unet_${size}`);
    if (existsSync(join(folder, 'model.onnx'))) for (const line of await agreement(folder)) process.stdout.write(line + '\n');
  }
  process.stdout.write(`\nload average at end ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
