/**
 * Seed scale: 60,000 small images evaluated with 3 ONNX models, fusion and statistics — in one
 * process, and as 2 shards merged — with wall time, images/s and peak RSS of each process, the
 * check that the merge equals the single run, and the projected time for 30 models.
 *
 *   npm run build && node --import tsx bench/scale.ts [images=60000] [size=64]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildDemoModel } from '../server/src/demo/models';
import { writeBlobDataset } from './support/blobDataset';

const N = Number(process.argv[2] ?? 60000);
const SIZE = Number(process.argv[3] ?? 64);
const MODELS = ['tii-sharp', 'tii-over', 'lmi-under'] as const;
const dir = join(__dirname, '.data', `scale-${N}-${SIZE}`);
const wrapper = join(__dirname, 'support', 'rssWrapper.cjs');

function medseg(args: string[]): { seconds: number; rssMb: number } {
  const start = performance.now();
  const r = spawnSync(process.execPath, [wrapper, ...args], { encoding: 'utf8', maxBuffer: 256 << 20 });
  const seconds = (performance.now() - start) / 1000;
  if (r.status !== 0) throw new Error(`medseg ${args.join(' ')} failed:\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-4000)}`);
  return { seconds, rssMb: Number(/MAXRSS_KB (\d+)/.exec(r.stderr)![1]) / 1024 };
}

async function main(): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const t0 = performance.now();
  await writeBlobDataset(dir, N, SIZE);
  console.log(`dataset: ${N} images ${SIZE}×${SIZE} (${((performance.now() - t0) / 1000).toFixed(0)} s to write or check)`);
  for (const m of MODELS) writeFileSync(join(dir, `${m}.onnx`), buildDemoModel('dermoscopy', m));
  const config = join(dir, 'scale.medseg.yaml');
  writeFileSync(
    config,
    `dataset:\n  images: images/*.png\n  masks: masks/{stem}.png\nmodels:\n` +
      MODELS.map((m) => `  - name: ${m}\n    path: ${m}.onnx\n    input: { size: [128, 128] }\n`).join('') +
      `evaluation: { bootstrap: 1000 }\nruntime: { cache: cache }\noutput: results\n`,
  );
  for (const d of ['cache', 'results', 'shard1', 'shard2', 'merged']) rmSync(join(dir, d), { recursive: true, force: true });

  const single = medseg(['evaluate', config]);
  console.log(`one process:  ${single.seconds.toFixed(0)} s, ${(N / single.seconds).toFixed(1)} images/s, peak RSS ${single.rssMb.toFixed(0)} MB`);

  rmSync(join(dir, 'cache'), { recursive: true, force: true }); // shards infer afresh, like separate machines
  const s1 = medseg(['evaluate', config, '--shard', '1/2', '--output', join(dir, 'shard1')]);
  const s2 = medseg(['evaluate', config, '--shard', '2/2', '--output', join(dir, 'shard2')]);
  const merge = medseg(['merge', join(dir, 'shard1'), join(dir, 'shard2'), '--output', join(dir, 'merged')]);
  console.log(`2 shards:     ${s1.seconds.toFixed(0)} s + ${s2.seconds.toFixed(0)} s (peak RSS ${s1.rssMb.toFixed(0)} / ${s2.rssMb.toFixed(0)} MB); merge ${merge.seconds.toFixed(0)} s (peak RSS ${merge.rssMb.toFixed(0)} MB)`);
  console.log(`              on 2 machines: ${(Math.max(s1.seconds, s2.seconds) + merge.seconds).toFixed(0)} s wall`);
  const same = readFileSync(join(dir, 'results', 'scale', 'per_image.csv')).equals(readFileSync(join(dir, 'merged', 'per_image.csv')));
  console.log(`merged per_image.csv identical to the single run: ${same}`);
  const perModel = single.seconds / MODELS.length;
  console.log(`projected for 30 models (time grows with models; fusion of 30 masks not included): ≈ ${((perModel * 30) / 3600).toFixed(1)} h in one process, ≈ ${((perModel * 30) / 3600 / 2).toFixed(1)} h on 2 shards`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
