/**
 * Explanation benchmark: seconds per image of Seg-Grad-CAM (batched central differences through
 * the graph's tail), Score-CAM and Eigen-CAM for the twelve demo models and for the benchmark
 * U-Net (≈1.9 M parameters, 256×256, the one bench/evaluate.ts runs), and the time of a UMAP map
 * of 10,000 points (goal: under 30 s on this machine).
 *
 *   node --import tsx bench/explain.ts [--quick]
 *
 * Images are seeded random pixels at the model's size; the target is the reference (a centred
 * disk), so every method has pixels to explain whatever a model predicts on noise. Session
 * creation (with the layer probe for `auto`) is timed apart from the per-image work. UMAP runs on
 * clustered synthetic features of the image map's width (768) and of a layer's width (256).
 * CPU provider, all cores.
 */
import { cpus, loadavg } from 'node:os';
import { computeEmbedding, ModelExplainer, type CamMethod } from '../server/src/core/explain';
import type { ModelConfig } from '../server/src/core/config/types';
import type { ImageVolume } from '../server/src/core/io/types';
import { createRandom } from '../server/src/core/util/random';
import { buildDemoModel, demoModelConfigs, DEMO_MODEL_NAMES, type DemoModality } from '../server/src/demo/models';
import { buildUnet } from './support/unet';

const quick = process.argv.includes('--quick');
const runtime = { provider: 'cpu' as const, batch: 8, threads: 0 };

function randomImage(size: [number, number], channels: 1 | 3, seed: number, ct = false): ImageVolume {
  const r = createRandom(seed);
  const [h, w] = size;
  const n = h * w * channels;
  // CT models take raw HU: int16 around soft tissue and kidney.
  const data = ct ? Int16Array.from({ length: n }, () => Math.round(60 + 150 * r.normal())) : Uint8Array.from({ length: n }, () => r.int(256));
  return { width: w, height: h, depth: 1, channels, data, bitDepth: ct ? 16 : 8, spacing: [1, 1, 1], spacingKnown: false, format: ct ? 'nifti' : 'png' };
}

function disk(size: [number, number]): Uint8Array {
  const [h, w] = size;
  const r = Math.min(h, w) / 4;
  return Uint8Array.from({ length: h * w }, (_, i) => (((i % w) - w / 2) ** 2 + (Math.floor(i / w) - h / 2) ** 2 <= r * r ? 1 : 0));
}

interface Row {
  model: string;
  layer: string;
  create: number;
  perImage: Partial<Record<CamMethod, number>>;
  /** CPU seconds (all threads) per image: steadier than wall time on a shared machine. */
  cpuPerImage: Partial<Record<CamMethod, number>>;
  evaluations: Partial<Record<CamMethod, number>>;
}

async function timeModel(name: string, config: ModelConfig, bytes: Uint8Array, images: Partial<Record<CamMethod, number>>, ct = false): Promise<Row> {
  const t0 = performance.now();
  const explainer = await ModelExplainer.create(config, bytes, runtime);
  const create = (performance.now() - t0) / 1000;
  const size = explainer.input.size;
  const reference = disk(size);
  const row: Row = { model: name, layer: `${explainer.layer.name} [${explainer.layer.channels}×${explainer.layer.height}×${explainer.layer.width}]`, create, perImage: {}, cpuPerImage: {}, evaluations: {} };
  try {
    for (const method of ['gradcam', 'scorecam', 'eigencam'] as const) {
      const n = images[method] ?? 0;
      if (n === 0) continue;
      // One untimed image first: onnxruntime's first runs at a new batch size allocate.
      await explainer.explainImage(randomImage(size, config.input.channels, 999, ct), { method, target: 'reference', reference });
      const t = performance.now();
      const cpu = process.cpuUsage();
      for (let k = 0; k < n; k++) {
        const e = await explainer.explainImage(randomImage(size, config.input.channels, k, ct), { method, target: 'reference', reference });
        row.evaluations[method] = e.evaluations;
      }
      row.perImage[method] = (performance.now() - t) / 1000 / n;
      const used = process.cpuUsage(cpu);
      row.cpuPerImage[method] = (used.user + used.system) / 1e6 / n;
    }
  } finally {
    await explainer.dispose();
  }
  return row;
}

function clustered(n: number, d: number, seed: number): Float32Array {
  const r = createRandom(seed);
  const centres = Array.from({ length: 12 }, () => Array.from({ length: d }, () => 3 * r.normal()));
  return Float32Array.from({ length: n * d }, (_, i) => centres[Math.floor(i / d) % 12][i % d] + r.normal());
}

async function main(): Promise<void> {
  process.stdout.write(`# explain benchmark · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · Node ${process.version}${quick ? ' · quick' : ''}\n\n`);
  const rows: Row[] = [];
  for (const modality of ['dermoscopy', 'histology', 'ct'] as DemoModality[]) {
    const configs = demoModelConfigs(modality);
    for (const name of DEMO_MODEL_NAMES) {
      const yaml = configs.find((c) => c.name === name)! as { input: { size: [number, number]; channels: 1 | 3; normalize: unknown } };
      const normalize = modality === 'ct' ? { kind: 'explicit' as const, mean: [0], std: [1] } : { kind: 'imagenet' as const };
      const config: ModelConfig = {
        name,
        path: `${modality}/${name}.onnx`,
        family: 'demo',
        index: 0,
        input: { size: yaml.input.size, layout: 'NCHW', channels: yaml.input.channels, normalize },
        output: { activation: 'sigmoid', channel: 0, threshold: 0.5 },
      };
      const n = quick ? 2 : 8;
      rows.push(await timeModel(`${modality}/${name}`, config, buildDemoModel(modality, name), { gradcam: n, scorecam: n, eigencam: n }, modality === 'ct'));
    }
  }
  const unet = buildUnet(256);
  const unetConfig: ModelConfig = {
    name: 'unet',
    path: 'unet.onnx',
    family: 'bench',
    index: 0,
    input: { size: [256, 256], layout: 'NCHW', channels: 3, normalize: { kind: 'imagenet' } },
    output: { activation: 'sigmoid', channel: 0, threshold: 0.5 },
  };
  rows.push(await timeModel(`U-Net ${(unet.parameters / 1e6).toFixed(2)}M, 256×256`, unetConfig, unet.bytes, { gradcam: quick ? 1 : 3, scorecam: quick ? 1 : 3, eigencam: quick ? 2 : 8 }));

  const s = (x: number | undefined) => (x === undefined ? '–' : x < 0.1 ? `${(x * 1000).toFixed(1)} ms` : `${x.toFixed(2)} s`);
  process.stdout.write(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}; per image: wall time [CPU time, all threads] (runs of the tail or model)\n\n`);
  process.stdout.write('| model | layer (auto) | open sessions | Grad-CAM / image | Score-CAM / image | Eigen-CAM / image |\n|---|---|---:|---:|---:|---:|\n');
  const cell = (r: Row, m: CamMethod) => `${s(r.perImage[m])} [${s(r.cpuPerImage[m])}]${m === 'eigencam' ? '' : ` (${r.evaluations[m]})`}`;
  for (const r of rows) {
    process.stdout.write(`| ${r.model} | ${r.layer} | ${s(r.create)} | ${cell(r, 'gradcam')} | ${cell(r, 'scorecam')} | ${cell(r, 'eigencam')} |\n`);
  }

  process.stdout.write(`\nload average ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n\n| UMAP | points | features | PCA | k-NN | graph + layout | total [CPU] |\n|---|---:|---:|---:|---:|---:|---:|\n`);
  for (const d of [768, 256]) {
    const n = quick ? 2000 : 10000;
    const t = performance.now();
    const cpu = process.cpuUsage();
    const r = computeEmbedding({ data: clustered(n, d, 1), n, d, neighbors: 15, minDist: 0.1, seed: 0 });
    const total = (performance.now() - t) / 1000;
    const used = process.cpuUsage(cpu);
    process.stdout.write(`| ${d === 768 ? 'images (16×16×3)' : 'pooled layer'} | ${n} | ${d} → ${r.dims} | ${s(r.seconds.pca)} | ${s(r.seconds.neighbours)} | ${s(r.seconds.layout)} (${r.epochs} epochs) | ${s(total)} [${s((used.user + used.system) / 1e6)}] |\n`);
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
