/**
 * What evaluating label maps region by region costs (issue 16): the KiTS-shaped CT demo set
 * (server/src/demo: 96×96×48 int16 volumes, labels 1 kidney / 2 tumour) through
 * `ct-regions.medseg.yaml` — regions kidney = [1, 2] and tumour = [2]; a 3-class softmax ONNX
 * model, a two-channel sigmoid region model, label-map predictions and one binary model of the
 * kidney region — against the same data evaluated once as a binary task (`ct.medseg.yaml`,
 * foreground [1, 2], the demo's four binary models). Each with a cold prediction cache, then again
 * with the cache filled. Reports wall time, the inferences each model ran (a multi-region model
 * must run once per case, not once per region) and the per-region seconds.
 *
 *   node --import tsx bench/regions.ts [scale=0.5]
 *
 * Data go to bench/.data/regions-<scale>/ (made once, deterministic for the seed).
 */
import { existsSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../server/src/core/config';
import { resolveDataset } from '../server/src/core/dataset';
import { evaluateExperiment, evaluateRegions } from '../server/src/core/evaluate';
import { generateCt } from '../server/src/demo/ct';
import { CT_REGIONS_CONFIG } from '../server/src/demo/ctRegions';
import { writeDemoModels } from '../server/src/demo/models';

const scale = Number(process.argv[2] ?? 0.5);
const root = join(__dirname, '.data', `regions-${scale}`);
const ct = join(root, 'ct');

async function prepare(): Promise<void> {
  if (existsSync(join(ct, CT_REGIONS_CONFIG))) return;
  await generateCt(root, { seed: 20261206, scale });
  await writeDemoModels(ct, 'ct');
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const out = await work();
  return [out, (performance.now() - t0) / 1000];
}

async function main(): Promise<void> {
  await prepare();
  const rows: string[] = [];
  const regionsConfig = (await loadConfig(join(ct, CT_REGIONS_CONFIG))).config!;
  const binaryConfig = (await loadConfig(join(ct, 'ct.medseg.yaml'))).config!;
  for (const pass of ['cold cache', 'warm cache'] as const) {
    for (const [label, config] of [['regions (kidney, tumour)', regionsConfig], ['binary (foreground [1, 2])', binaryConfig]] as const) {
      const cache = join(root, `cache-${label.split(' ')[0]}`);
      if (pass === 'cold cache') rmSync(cache, { recursive: true, force: true });
      const run = { ...config, runtime: { ...config.runtime, cache } };
      const dataset = await resolveDataset(run);
      const out = join(root, `out-${label.split(' ')[0]}`);
      if (config.dataset.regions) {
        // When each region's pass ended (its last case's progress event).
        const ends = new Map<string, number>();
        const t0 = performance.now();
        const [result, seconds] = await timed(() =>
          evaluateRegions(run, dataset, { outputDir: out, report: false, split: 'all', onProgress: (p) => ends.set(/\(([^)]+)\)$/.exec(p.imageId ?? '')?.[1] ?? '?', performance.now()) }),
        );
        let last = t0;
        const perRegion = result.regions.map((r) => {
          const end = ends.get(r.region.name) ?? last;
          const s = (end - last) / 1000;
          last = end;
          return `${r.region.name} ${s.toFixed(1)} s`;
        });
        const inferences = result.regions.map((r) => `${r.region.name}: ${Object.entries(r.summary.models).map(([m, s]) => `${m} ${s.inferences}`).join(', ')}`).join('; ');
        rows.push(`| ${label} | ${pass} | ${result.summary.images} | ${result.rows} | ${seconds.toFixed(1)} (${perRegion.join(', ')}) | ${inferences} |`);
      } else {
        const [result, seconds] = await timed(() => evaluateExperiment(run, dataset, { outputDir: out, report: false, split: 'all' }));
        const inferences = Object.entries(result.summary.models).map(([m, s]) => `${m} ${s.inferences}`).join(', ');
        rows.push(`| ${label} | ${pass} | ${result.summary.images} | ${result.table.size} | ${seconds.toFixed(1)} | ${inferences} |`);
      }
    }
  }
  const load = loadavg().map((x) => x.toFixed(2)).join(' / ');
  console.log(`Machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, load average ${load}; scale ${scale}, split all\n`);
  console.log('| evaluation | pass | images | rows | wall s | inferences per model |');
  console.log('|---|---|---:|---:|---:|---|');
  for (const r of rows) console.log(r);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
