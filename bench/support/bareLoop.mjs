/**
 * The least a script can do to run a segmentation model over a folder: decode with sharp,
 * normalise (ImageNet mean/std), `session.run`, one image at a time; no metrics, no files. Run as
 * its own process by bench/evaluate.ts so that it is timed like `medseg evaluate`: from process
 * start (module loading, session creation) to exit.
 *
 * Plain JavaScript, so no TypeScript loader adds to its start-up time.
 *
 *   node bench/support/bareLoop.mjs <images-dir> <model.onnx> <size> <threads>
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';

async function main() {
  const [dir, modelPath, sizeArg, threadsArg] = process.argv.slice(2);
  const size = Number(sizeArg);
  const files = readdirSync(dir).filter((f) => f.endsWith('.png')).sort();
  const session = await ort.InferenceSession.create(modelPath, { graphOptimizationLevel: 'all', intraOpNumThreads: Number(threadsArg), executionProviders: ['cpu'] });
  const mean = [0.485, 0.456, 0.406];
  const std = [0.229, 0.224, 0.225];
  const plane = size * size;
  const start = performance.now();
  for (const f of files) {
    const { data } = await sharp(join(dir, f)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const input = new Float32Array(3 * plane);
    for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) input[c * plane + i] = (data[3 * i + c] / 255 - mean[c]) / std[c];
    await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', input, [1, 3, size, size]) });
  }
  const loopSeconds = (performance.now() - start) / 1000;
  await session.release();
  const usage = process.resourceUsage();
  console.log(`LOOP_SECONDS ${loopSeconds} IMAGES ${files.length} CPU_SECONDS ${(usage.userCPUTime + usage.systemCPUTime) / 1e6}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
