/**
 * Peak memory of `medseg evaluate` on 10,000 images of 256×256 with 3 ONNX models (the demo's
 * dermoscopy networks, so the run takes minutes, not hours), fusion and statistics included.
 * Memory must stay bounded: images stream, dataset sums are fixed-size.
 *
 *   npm run build && node --import tsx bench/memory.ts [images=10000]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildDemoModel } from '../server/src/demo/models';
import { writeBlobDataset } from './support/blobDataset';

const N = Number(process.argv[2] ?? 10000);
const dir = join(__dirname, '.data', `memory-${N}`);

async function main(): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const t0 = performance.now();
  await writeBlobDataset(dir, N, 256);
  console.log(`dataset: ${N} images 256×256 (${((performance.now() - t0) / 1000).toFixed(0)} s to write or check)`);
  for (const name of ['tii-sharp', 'tii-over', 'lmi-under'] as const) writeFileSync(join(dir, `${name}.onnx`), buildDemoModel('dermoscopy', name));
  writeFileSync(
    join(dir, 'memory.medseg.yaml'),
    `dataset:\n  images: images/*.png\n  masks: masks/{stem}.png\nmodels:\n` +
      ['tii-sharp', 'tii-over', 'lmi-under'].map((m) => `  - name: ${m}\n    path: ${m}.onnx\n    input: { size: [128, 128] }\n`).join('') +
      `evaluation: { bootstrap: 1000 }\nruntime: { cache: cache }\noutput: results\n`,
  );
  rmSync(join(dir, 'cache'), { recursive: true, force: true });
  rmSync(join(dir, 'results'), { recursive: true, force: true });
  const start = performance.now();
  const r = spawnSync(process.execPath, [join(__dirname, 'support', 'rssWrapper.cjs'), 'evaluate', join(dir, 'memory.medseg.yaml')], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const seconds = (performance.now() - start) / 1000;
  if (r.status !== 0) throw new Error(`medseg evaluate failed:\n${r.stdout}\n${r.stderr.slice(-4000)}`);
  const kb = Number(/MAXRSS_KB (\d+)/.exec(r.stderr)![1]);
  console.log(`medseg evaluate: ${N} images × 3 models + 5 fusions in ${seconds.toFixed(0)} s (${(N / seconds).toFixed(1)} images/s), peak RSS ${(kb / 1024).toFixed(0)} MB`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
