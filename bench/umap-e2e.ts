/**
 * `medseg umap` end to end on the seed's scale (issue 19): 60,000 synthetic RGB images (the
 * generator of bench/scale.ts, same folder, so a scale run's dataset is reused), a 70/15/15 split
 * (so the out-of-distribution test runs), and one ONNX model (the U-Net of bench/support/unet.ts,
 * 1.9 M parameters, at 64×64) whose `auto` layer (its 256-channel bottleneck) gives the second
 * map: features from the images and from the model,
 * PCA, neighbours, layout, out-of-distribution test, umap.json. Wall time, CPU time and peak RSS of
 * the whole process (worker threads included), per-map phase times from umap.json, and the load.
 *
 *   npm run build && node --import tsx bench/umap-e2e.ts [images=60000] [size=32]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { UmapReport } from '../server/src/core/explain';
import { writeBlobDataset } from './support/blobDataset';
import { buildUnet } from './support/unet';

const N = Number(process.argv[2] ?? 60000);
const SIZE = Number(process.argv[3] ?? 32);
const dir = join(__dirname, '.data', `scale-${N}-${SIZE}`);
const wrapper = join(__dirname, 'support', 'rssWrapper.cjs');
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');

async function main(): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const t0 = performance.now();
  const { ids } = await writeBlobDataset(dir, N, SIZE);
  process.stderr.write(`dataset: ${N} images ${SIZE}×${SIZE} (${((performance.now() - t0) / 1000).toFixed(0)} s to write or check)\n`);
  writeFileSync(join(dir, 'umap-unet.onnx'), buildUnet(64).bytes);
  // 70 % train, 15 % validation, 15 % test, by position (the images are i.i.d.).
  writeFileSync(join(dir, 'umap-splits.csv'), ['image_id,split', ...ids.map((id, i) => `${id},${i % 20 < 14 ? 'train' : i % 20 < 17 ? 'val' : 'test'}`)].join('\n') + '\n');
  const config = join(dir, 'umap.medseg.yaml');
  writeFileSync(
    config,
    `dataset:\n  images: images/*.png\n  masks: masks/{stem}.png\nsplits:\n  file: umap-splits.csv\nmodels:\n  - name: unet\n    path: umap-unet.onnx\n    input: { size: [64, 64] }\n` +
      `explain:\n  umap: { features: auto, max_points: ${N} }\nruntime: { cache: cache }\noutput: results\n`,
  );
  const out = join(dir, 'umap-results');
  rmSync(out, { recursive: true, force: true });
  const loadBefore = load();
  const start = performance.now();
  const r = spawnSync(process.execPath, [wrapper, 'umap', config, '--output', out], { encoding: 'utf8', maxBuffer: 256 << 20 });
  const seconds = (performance.now() - start) / 1000;
  if (r.status !== 0) throw new Error(`medseg umap failed (${r.status}):\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-4000)}`);
  const rssMb = Number(/MAXRSS_KB (\d+)/.exec(r.stderr)![1]) / 1024;
  const cpu = Number(/CPU_SECONDS ([\d.]+)/.exec(r.stderr)![1]);
  const report = JSON.parse(readFileSync(join(out, 'umap.json'), 'utf8')) as UmapReport;
  const s = (x: number | undefined) => (x === undefined ? '–' : `${x.toFixed(1)} s`);
  process.stdout.write(`# medseg umap end to end · ${new Date().toISOString()} · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · Node ${process.version}\n\n`);
  process.stdout.write(`${N.toLocaleString('en')} images ${SIZE}×${SIZE}, max_points ${report.subsample.max_points.toLocaleString('en')} (${report.subsample.kept.toLocaleString('en')} mapped), 1 model; load average ${loadBefore} before, ${load()} after\n\n`);
  process.stdout.write(`| run | wall | CPU (all threads) | peak RSS |\n|---|---:|---:|---:|\n| \`medseg umap\` (features, 2 maps, umap.json) | ${s(seconds)} | ${s(cpu)} | ${rssMb.toFixed(0)} MB |\n\n`);
  process.stdout.write('| map | features | points | PCA | k-NN | layout | OOD | neighbours | out of distribution |\n|---|---:|---:|---:|---:|---:|---:|---|---:|\n');
  for (const m of report.maps) {
    const nb = m.neighbor_search;
    const ood = m.out_of_distribution;
    process.stdout.write(
      `| ${m.name} | ${m.dims} → ${m.pca_dims} | ${m.points.length.toLocaleString('en')} | ${s(m.seconds.pca)} | ${s(m.seconds.neighbours)} | ${s(m.seconds.layout)} | ${s(m.seconds.ood)} | ${nb.method}${nb.recall !== undefined ? ` (recall ${nb.recall.toFixed(3)})` : ''} | ${ood ? `${ood.count} of ${ood.test_images.toLocaleString('en')}` : '–'} |\n`,
    );
  }
  const features = seconds - report.maps.reduce((t, m) => t + m.seconds.pca + m.seconds.neighbours + m.seconds.layout + (m.seconds.ood ?? 0), 0);
  process.stdout.write(`\nThe rest of the wall time (${s(features)}): start-up, dataset resolution, decoding ${N.toLocaleString('en')} images and running the model for the layer features, writing umap.json.\n`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
