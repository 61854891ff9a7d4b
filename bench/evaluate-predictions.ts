/**
 * Predictions-only evaluation (issue 15): the work a GPU run leaves on the CPU — decoding, metric
 * kernels, fusion and STAPLE, error maps, PNG encoding, hashing, writes — with no inference at all.
 * N blob images of 256×256 with 3 models given as 16-bit probability PNGs and all 5 fusions, run as
 * `medseg evaluate` (its own process, timed from start to exit) with the case pool at each size
 * asked for, against one worker. CPU utilisation = CPU seconds of the process (all threads) / wall
 * seconds: 200 % is both cores of a 2-core machine busy.
 *
 *   npm run build && node --import tsx bench/evaluate-predictions.ts [images=1000] [repeats=1] [workers=main,1,2]
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { minOf } from '../server/src/core/util/arrays';
import { writeBlobDataset } from './support/blobDataset';
import { PREDICTION_MODELS, writeProbabilityMaps } from './support/probabilityMaps';
import { loadNow, machineLine, markdownTable, runMedseg, type MedsegRun } from './support/runMedseg';

const N = Number(process.argv[2] ?? 1000);
const REPEATS = Number(process.argv[3] ?? 1);
const WORKERS = (process.argv[4] ?? 'main,1,2').split(',').map((w) => (w === 'main' ? 'main' : Number(w)));
const SIZE = 256;
const dir = join(__dirname, '.data', `predictions-${N}`);

function configFor(workers: number | 'main'): string {
  const file = join(dir, `w${workers}.medseg.yaml`);
  writeFileSync(
    file,
    `name: bench\ndataset:\n  images: images/*.png\n  masks: masks/{stem}.png\nmodels:\n` +
      PREDICTION_MODELS.map((m) => `  - name: ${m.name}\n    predictions: preds/${m.name}/{stem}.png\n    prediction_values: probabilities\n`).join('') +
      `evaluation: { bootstrap: 1000, fusion: [union, intersection, majority, staple, best] }\nruntime: { cache: cache, workers: ${workers} }\noutput: results-w${workers}\n`,
  );
  return file;
}

function label(workers: number | 'main'): string {
  return workers === 'main' ? "evaluation's own thread (no pool; the pre-pool layout)" : `${workers} case worker${workers === 1 ? '' : 's'}`;
}

async function main(): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const t0 = performance.now();
  const { ids } = await writeBlobDataset(dir, N, SIZE);
  await writeProbabilityMaps(dir, ids, SIZE);
  console.log(`dataset: ${N} images ${SIZE}×${SIZE} + 3 × ${N} probability PNGs (${((performance.now() - t0) / 1000).toFixed(0)} s to write or check)\n`);
  const runs = new Map<number | 'main', MedsegRun[]>();
  const loads: string[] = [];
  for (let r = 0; r < REPEATS; r++) {
    for (const w of WORKERS) {
      rmSync(join(dir, `results-w${w}`), { recursive: true, force: true });
      loads.push(loadNow());
      const run = runMedseg(['evaluate', configFor(w)]);
      runs.set(w, [...(runs.get(w) ?? []), run]);
    }
  }
  const reference = WORKERS.includes(1) ? 1 : WORKERS[0];
  const best = (w: number | 'main') => minOf(runs.get(w)!.map((r) => r.seconds));
  const rows = WORKERS.map((w) => {
    const list = runs.get(w)!;
    return [
      label(w),
      list.map((r) => r.seconds.toFixed(1)).join(' / '),
      list.map((r) => (N / r.seconds).toFixed(1)).join(' / '),
      `${(best(reference) / best(w)).toFixed(2)}×`,
      list.map((r) => `${((100 * r.cpuSeconds) / r.seconds).toFixed(0)} %`).join(' / '),
      list.map((r) => `${((1000 * r.cpuSeconds) / N).toFixed(1)} (${((1000 * r.mainCpuSeconds) / N).toFixed(1)})`).join(' / '),
      list.map((r) => r.rssMb.toFixed(0)).join(' / '),
    ];
  });
  console.log(`Predictions-only evaluation: ${N} images ${SIZE}×${SIZE} × ${PREDICTION_MODELS.length} models (16-bit probability PNGs) × 5 fusions, per-image files written, report.html`);
  console.log(`Machine: ${machineLine()}; 1-minute load before each run: ${loads.join(', ')}\n`);
  console.log(markdownTable(['run', 'wall s', 'images/s', `throughput vs ${label(reference)}`, 'CPU utilisation', 'CPU ms/image (main thread)', 'peak RSS MB'], rows));
  // The runs must agree: the pool never changes a result.
  const csv = (w: number | 'main') => readFileSync(join(dir, `results-w${w}`, 'bench', 'per_image.csv'));
  const same = WORKERS.every((w) => csv(w).equals(csv(reference)));
  console.log(`\nper_image.csv identical across the runs: ${same}`);
  if (!same) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
