/**
 * What the "Explanations" section of report.html costs (issue 14, part 4): the time to shape it
 * from a results folder (read every method's explain.json, stream every model's rows for the most
 * and least heat inside the reference, draw the thumbnails) and the bytes it adds to report.html,
 * for N explained images per model at the demo dermoscopy size. Every report redraw pays it
 * (`medseg explain`, `evaluate`, `compare`, `stress` into the folder), as does the dashboard's
 * first `medseg/results` after a change (later ones are cached).
 *
 *   node --import tsx bench/explain-report.ts [images=10000] [size=128]
 *
 * Prints a Markdown table: models × methods, rows read, thumbnails, seconds, section size.
 */
import { linkSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { DatasetCase } from '../server/src/core/dataset/types';
import { CAM_METHODS } from '../server/src/core/explain/methods';
import { reportExplainSection } from '../server/src/core/report/explainSection';
import { writeBlobDataset } from './support/blobDataset';

const N = Number(process.argv[2] ?? 10000);
const SIZE = Number(process.argv[3] ?? 128);
const root = join(__dirname, '.data', `explain-report-${SIZE}`);
const HEADER = 'image_id,split,slice,heatmap,heat_max,target_pixels,dice,inside_reference,inside_prediction,inside_fp,inside_fn,gradient,epsilon,relative_step,explained_variance,seconds';

const stat = (mean: number, n: number) => ({ n, excluded: 0, mean, median: mean, std: 0.1, ci95: [mean - 0.01, mean + 0.01] });

/** A results folder as `medseg explain` leaves it: per method an explain.json, per model a row and a heatmap (hard links of one PNG) per image. */
async function writeFolder(out: string, models: number, methods: number, images: number): Promise<void> {
  rmSync(out, { recursive: true, force: true });
  const heat = Buffer.alloc(SIZE * SIZE);
  for (let i = 0; i < heat.length; i++) heat[i] = (i * 7) % 256;
  const heatPng = await sharp(heat, { raw: { width: SIZE, height: SIZE, channels: 1 } }).toColourspace('b-w').png().toBuffer();
  mkdirSync(out, { recursive: true });
  for (const method of CAM_METHODS.slice(0, methods)) {
    const names = Array.from({ length: models }, (_, m) => `model${m}`);
    const report = {
      experiment: 'bench', time: '2026-01-01T00:00:00.000Z', engine_version: '0.1.0', config: 'bench.medseg.yaml', split: 'test', method, target: 'prediction',
      image_rule: 'all', layer_rule: 'auto',
      models: Object.fromEntries(names.map((name, m) => [name, {
        family: m % 2 ? 'LMI' : 'TII', layer: { name: 'layer4', op: 'Relu', channels: 512, height: 4, width: 4, depth: 40, rule: 'auto' }, provider: 'cpu', gradient: 'exact', images, resumed: 0,
        rows: `explain/${method}/${name}.csv`, heatmaps: `heatmaps/${method}/${name}/`,
        summary: { dice: stat(0.8, images), inside_reference: stat(0.7, images), inside_prediction: stat(0.8, images), inside_fp: stat(0.2, images), inside_fn: stat(0.1, images) }, seconds_per_image: 0.05,
      }])),
      comparisons: [], families: [], failures: [],
    };
    mkdirSync(join(out, 'explain', method), { recursive: true });
    writeFileSync(join(out, 'explain', method, 'explain.json'), JSON.stringify(report));
    for (const name of names) {
      const dir = join(out, 'heatmaps', method, name);
      mkdirSync(dir, { recursive: true });
      // One file per model and method, linked for every image (a file takes at most ~65,000 links).
      const source = join(out, `heat-${method}-${name}.png`);
      writeFileSync(source, heatPng);
      const lines = [HEADER];
      for (let i = 0; i < images; i++) {
        const id = `img_${String(i).padStart(6, '0')}`;
        linkSync(source, join(dir, `${id}.png`));
        const share = ((i * 7919 + name.length * 31) % 10007) / 10007;
        lines.push(`${id},test,,heatmaps/${method}/${name}/${id}.png,0.5,400,0.8,${share},0.9,${(1 - share).toFixed(6)},0,exact,,,,0.05`);
      }
      writeFileSync(join(out, 'explain', method, `${name}.csv`), lines.join('\n') + '\n');
    }
  }
}

async function main(): Promise<void> {
  process.stdout.write(`# explanations section · ${N} images ${SIZE}×${SIZE} per model · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · load ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n\n`);
  const data = await writeBlobDataset(join(root, 'data'), N, SIZE);
  const cases: DatasetCase[] = data.ids.map((id) => ({ id, image: join(data.dir, 'images', `${id}.png`), mask: join(data.dir, 'masks', `${id}.png`), labels: {}, predictions: {}, split: 'test' }));
  const shown = { experiment: 'bench', split: 'test', models: [], modelHashes: {} };
  process.stdout.write('| models × methods | images per model | rows read | thumbnails | section (s) | section in report.html |\n|---|---:|---:|---:|---:|---:|\n');
  // The seed's 30 models × every method with fewer images, to keep the bench folder small (hard links).
  for (const [models, methods, images] of [[4, 1, N], [4, 3, N], [30, 10, Math.min(N, 1000)]] as const) {
    const out = join(root, `out-${models}x${methods}`);
    await writeFolder(out, models, methods, images);
    const start = performance.now();
    const section = (await reportExplainSection(out, shown, { cases, foreground: { kind: 'nonzero' } }))!;
    const seconds = (performance.now() - start) / 1000;
    const thumbnails = section.methods.reduce((n, m) => n + m.models.reduce((k, x) => k + x.most.length + x.least.length, 0), 0);
    const kb = JSON.stringify(section).length / 1024;
    process.stdout.write(`| ${models} × ${methods} | ${images.toLocaleString('en')} | ${(models * methods * images).toLocaleString('en')} | ${thumbnails} (${section.galleryPerList} + ${section.galleryPerList} per model and method) | ${seconds.toFixed(2)} | ${kb >= 1024 ? `${(kb / 1024).toFixed(1)} MB` : `${kb.toFixed(0)} kB`} |\n`);
    rmSync(out, { recursive: true, force: true });
  }
  process.stdout.write(`\nload average at end ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
}

void main();
