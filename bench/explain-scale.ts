/**
 * Explanations at the seed's scale (issue 14): Grad-CAM from exact gradients on every image of a
 * 10,000-image split, against `medseg evaluate` on the same images and model, each as its own
 * process from start to exit (wall time and peak RSS), and a resumed run.
 *
 *   npm run build && node --import tsx bench/explain-scale.ts [images=10000] [size=128]
 *
 * Images: seeded RGB blobs at the demo dermoscopy size (128×128); model: the bench U-Net
 * (1.96 M parameters, the one bench/evaluate.ts runs) at 128×128, seeded weights; CPU provider.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { writeBlobDataset } from './support/blobDataset';
import { buildUnet } from './support/unet';

const N = Number(process.argv[2] ?? 10000);
const SIZE = Number(process.argv[3] ?? 128);
const dir = join(__dirname, '.data', `explain-${N}-${SIZE}`);
const wrapper = join(__dirname, 'support', 'rssWrapper.cjs');

function medseg(args: string[]): { seconds: number; rssMb: number; stdout: string } {
  const start = performance.now();
  const r = spawnSync(process.execPath, [wrapper, ...args], { encoding: 'utf8', maxBuffer: 256 << 20 });
  const seconds = (performance.now() - start) / 1000;
  if (r.status !== 0) throw new Error(`medseg ${args.join(' ')} failed (${r.status}):\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-4000)}`);
  return { seconds, rssMb: Number(/MAXRSS_KB (\d+)/.exec(r.stderr)![1]) / 1024, stdout: r.stdout };
}

async function main(): Promise<void> {
  process.stdout.write(`# explain at scale · ${N} images ${SIZE}×${SIZE} · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · load ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n\n`);
  mkdirSync(dir, { recursive: true });
  await writeBlobDataset(dir, N, SIZE);
  const unet = buildUnet(SIZE);
  writeFileSync(join(dir, 'unet.onnx'), unet.bytes);
  const config = join(dir, 'explain.medseg.yaml');
  writeFileSync(
    config,
    `dataset:\n  images: images/*.png\n  masks: masks/{stem}.png\nmodels:\n  - name: unet\n    path: unet.onnx\n    family: TII\n    input: { size: [${SIZE}, ${SIZE}], channels: 3, normalize: imagenet }\n` +
      `evaluation: { bootstrap: 1000, fusion: [] }\nexplain:\n  gradcam: { method: gradcam, images: all, target: prediction }\nruntime: { cache: cache }\noutput: results\n`,
  );
  for (const d of ['cache', 'results']) rmSync(join(dir, d), { recursive: true, force: true });

  const evaluate = medseg(['evaluate', config]);
  const explain = medseg(['explain', config, '--images', 'all']);
  const report = JSON.parse(readFileSync(join(dir, 'results', 'explain', 'explain.json'), 'utf8'));
  const m = report.models.unet;
  const again = medseg(['explain', config, '--images', 'all']);
  const rows = readFileSync(join(dir, 'results', 'explain', m.rows), 'utf8').trim().split('\n').length - 1;
  const line = (what: string, r: { seconds: number; rssMb: number }) => `| ${what} | ${r.seconds.toFixed(0)} s | ${(N / r.seconds).toFixed(1)} | ${r.rssMb.toFixed(0)} MB |`;
  process.stdout.write('| run (own process, start to exit) | wall time | images/s | peak RSS |\n|---|---:|---:|---:|\n');
  process.stdout.write(line('`medseg evaluate` (cold cache: inference, 7 metrics, CIs, masks, probabilities, error maps, report)', evaluate) + '\n');
  process.stdout.write(line(`\`medseg explain --images all\` (Grad-CAM, ${m.gradient} gradients, layer ${m.layer.name}; heatmaps, rows, summaries)`, explain) + '\n');
  process.stdout.write(line('the same again (every row resumed: nothing recomputed)', again) + '\n');
  process.stdout.write(`\nexplain ÷ evaluate: **${(explain.seconds / evaluate.seconds).toFixed(2)}×** (goal ≤ 3×); rows written: ${rows}; resumed on the second run: ${JSON.parse(readFileSync(join(dir, 'results', 'explain', 'explain.json'), 'utf8')).models.unet.resumed}\n`);
  process.stdout.write(`heat inside the reference: mean ${(100 * m.summary.inside_reference.mean).toFixed(1)} % [${m.summary.inside_reference.ci95.map((x: number) => (100 * x).toFixed(1)).join(', ')}]; seconds per image ${(m.seconds_per_image * 1000).toFixed(1)} ms\n`);
  process.stdout.write(`load average at end ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
