/**
 * Evaluation throughput, three ways on the same ONNX model (a ≈1.9 M-parameter U-Net at 256×256)
 * and the same images:
 *   bare     — the least a script can do: decode, normalise, session.run, one image at a time;
 *   medseg   — `medseg evaluate` end to end (cold cache: every image inferred), with metrics,
 *              CIs, masks/probabilities/error maps written and report.html;
 *   python   — the peer a user would write: onnxruntime + Pillow + numpy/scipy (bench/evaluate_peer.py).
 *
 *   npm run build && node --import tsx bench/evaluate.ts [images=200]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { writeBlobDataset } from './support/blobDataset';
import { buildUnet } from './support/unet';

const N = Number(process.argv[2] ?? 200);
const SIZE = 256;
const root = join(__dirname, '..');
const dir = join(__dirname, '.data', `evaluate-${N}`);

async function bareLoop(modelPath: string, ids: string[]): Promise<number> {
  const session = await ort.InferenceSession.create(modelPath, { graphOptimizationLevel: 'all', intraOpNumThreads: cpus().length, executionProviders: ['cpu'] });
  const mean = [0.485, 0.456, 0.406];
  const std = [0.229, 0.224, 0.225];
  const plane = SIZE * SIZE;
  const start = performance.now();
  for (const id of ids) {
    const { data } = await sharp(join(dir, 'images', `${id}.png`)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const input = new Float32Array(3 * plane);
    for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) input[c * plane + i] = (data[3 * i + c] / 255 - mean[c]) / std[c];
    await session.run({ image: new ort.Tensor('float32', input, [1, 3, SIZE, SIZE]) });
  }
  const seconds = (performance.now() - start) / 1000;
  await session.release();
  return N / seconds;
}

function medsegEvaluate(config: string): { imagesPerSecond: number; seconds: number } {
  rmSync(join(dir, 'cache'), { recursive: true, force: true });
  rmSync(join(dir, 'results'), { recursive: true, force: true });
  const start = performance.now();
  const r = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), 'evaluate', config], { encoding: 'utf8' });
  const seconds = (performance.now() - start) / 1000;
  if (r.status !== 0) throw new Error(`medseg evaluate failed:\n${r.stdout}\n${r.stderr}`);
  return { imagesPerSecond: N / seconds, seconds };
}

function pythonPeer(modelPath: string): { imagesPerSecond: number; seconds: number } {
  const out = execFileSync('python3', [join(__dirname, 'evaluate_peer.py'), dir, modelPath, String(cpus().length)], { encoding: 'utf8' });
  const seconds = Number(/SECONDS (\S+)/.exec(out)![1]);
  return { imagesPerSecond: N / seconds, seconds };
}

async function main(): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const { ids } = await writeBlobDataset(dir, N, SIZE);
  const { bytes, parameters } = buildUnet(SIZE);
  const modelPath = join(dir, 'unet.onnx');
  writeFileSync(modelPath, bytes);
  const config = join(dir, 'bench.medseg.yaml');
  writeFileSync(
    config,
    `dataset:\n  images: images/*.png\n  masks: masks/{stem}.png\nmodels:\n  - name: unet\n    path: unet.onnx\n    input: { size: [${SIZE}, ${SIZE}] }\nevaluation: { bootstrap: 2000 }\nruntime: { cache: cache, threads: 0 }\noutput: results\n`,
  );
  console.log(`${N} images ${SIZE}×${SIZE}, U-Net with ${(parameters / 1e6).toFixed(2)} M parameters, ${cpus().length} cores, ${cpus()[0].model}`);
  const bare = await bareLoop(modelPath, ids);
  console.log(`bare session.run loop     ${bare.toFixed(1)} images/s`);
  const ours = medsegEvaluate(config);
  console.log(`medseg evaluate (cold)    ${ours.imagesPerSecond.toFixed(1)} images/s  (${ours.seconds.toFixed(1)} s, ratio to bare ${(ours.imagesPerSecond / bare).toFixed(2)})`);
  const peer = pythonPeer(modelPath);
  console.log(`python peer               ${peer.imagesPerSecond.toFixed(1)} images/s  (${peer.seconds.toFixed(1)} s; medseg / python = ${(ours.imagesPerSecond / peer.imagesPerSecond).toFixed(2)})`);
  const summary = JSON.parse(readFileSync(join(dir, 'results', 'bench', 'summary.json'), 'utf8')) as { provider: { used: string } };
  console.log(`provider used by medseg: ${summary.provider.used}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
