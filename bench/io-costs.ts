/**
 * CPU costs of the per-image steps that issue 3's end-to-end benchmark is made of, each one way
 * against the way it replaced, on the images and outputs of bench/evaluate.ts (run that first):
 * PNG decode of a mask (fast path vs sharp), 16-bit probability PNG deflate (run-length vs LZ77),
 * small atomic writes (direct calls vs fs.promises), per-image AUROC (sorted keys vs 65,536-bin
 * histogram), HD95, and ONNX batch sizes of the U-Net.
 *
 *   npm run build && node --import tsx bench/evaluate.ts 200 && node --import tsx bench/io-costs.ts
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { constants, deflateSync } from 'node:zlib';
import * as ort from 'onnxruntime-node';
import { readMask, writeFileAtomic } from '../server/src/core/io';
import { decodeWithSharp } from '../server/src/core/io/raster';
import { decodePlainPng } from '../server/src/core/io/pngDecode';
import { imageAuroc, ScoreHistogram, surfaceDistances } from '../server/src/core/metrics';

const dir = join(__dirname, '.data', 'evaluate-200');

/** CPU milliseconds per call of `f` over `items` (user + system of this process). */
async function cpuMs<T>(items: T[], f: (item: T, i: number) => unknown): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < items.length; i++) await f(items[i], i);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / items.length;
}

function row(name: string, ours: number, before: number): void {
  console.log(`${name.padEnd(44)} ${ours.toFixed(3).padStart(7)} ms   (was ${before.toFixed(3)} ms)`);
}

async function main(): Promise<void> {
  const ids = readdirSync(join(dir, 'masks')).filter((f) => f.endsWith('.png')).sort().slice(0, 100);
  const maskFiles = ids.map((f) => readFileSync(join(dir, 'masks', f)));
  await cpuMs(maskFiles, (b) => decodeWithSharp('warm.png', b));
  row('mask PNG decode: fast path vs sharp', await cpuMs(maskFiles, (b) => decodePlainPng(b)), await cpuMs(maskFiles, (b) => decodeWithSharp('m.png', b)));

  const probs = ids.map((f) => Buffer.from(readFileSync(join(dir, 'results', 'bench', 'prob', 'unet', f))));
  const raw = probs.map((b) => decodePlainPng(b)!.data as Uint16Array).map((q) => Buffer.from(q.buffer).swap16());
  row('16-bit prob deflate: Z_RLE level 1 vs level 1', await cpuMs(raw, (b) => deflateSync(b, { level: 1, strategy: constants.Z_RLE })), await cpuMs(raw, (b) => deflateSync(b, { level: 1 })));

  const out = join('/tmp', `medseg-io-costs-${process.pid}`);
  mkdirSync(out, { recursive: true });
  const bytes = probs.map((p) => p.subarray(0, 20_000));
  const direct = await cpuMs(bytes, (b, i) => writeFileAtomic(join(out, `a${i}.png`), b));
  const promised = await cpuMs(bytes, async (b, i) => {
    const handle = await open(join(out, `b${i}.tmp`), 'wx');
    await handle.writeFile(b);
    await handle.close();
    await rename(join(out, `b${i}.tmp`), join(out, `b${i}.png`));
  });
  rmSync(out, { recursive: true, force: true });
  row('atomic write of 20 KB: direct calls vs fs.promises', direct, promised);

  const small = Array.from({ length: 400 }, (_, k) => ({
    q: Uint16Array.from({ length: 1024 }, (_, i) => ((i * 7919 + k * 104729) % 65536)),
    ref: Uint8Array.from({ length: 1024 }, (_, i) => ((i * 31 + k) % 9 < 2 ? 1 : 0)),
  }));
  const h = new ScoreHistogram();
  row('AUROC of a 32×32 image: sorted keys vs histogram', await cpuMs(small, (s) => imageAuroc(s.q, s.ref)), await cpuMs(small, (s) => h.clear().addQuantised(s.q, s.ref).auroc()));

  const refs = await Promise.all(ids.map((f) => readMask(join(dir, 'masks', f), { kind: 'nonzero' })));
  const preds = ids.map((f) => Uint8Array.from(decodePlainPng(readFileSync(join(dir, 'results', 'bench', 'masks', 'unet', f)))!.data as Uint8Array, (v) => (v ? 1 : 0)));
  const hd = await cpuMs(refs, (r, i) => surfaceDistances(r.data, preds[i], [r.width, r.height, 1], [1, 1, 1]));
  console.log(`${'HD95 of a 256×256 pair'.padEnd(44)} ${hd.toFixed(3).padStart(7)} ms`);

  const session = await ort.InferenceSession.create(join(dir, 'unet.onnx'), { executionProviders: ['cpu'], intraOpNumThreads: 2, graphOptimizationLevel: 'all' });
  for (const batch of [1, 2, 4, 8]) {
    const x = new ort.Tensor('float32', Float32Array.from({ length: batch * 3 * 256 * 256 }, (_, i) => ((i * 2654435761) % 1000) / 500 - 1), [batch, 3, 256, 256]);
    await session.run({ [session.inputNames[0]]: x });
    const runs = Math.ceil(64 / batch);
    const t = performance.now();
    for (let r = 0; r < runs; r++) await session.run({ [session.inputNames[0]]: x });
    console.log(`U-Net batch ${batch}: ${((performance.now() - t) / (runs * batch)).toFixed(1)} ms wall per image (2 intra-op threads)`);
  }
  await session.release();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
