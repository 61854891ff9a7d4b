/**
 * Split analysis at scale: N synthetic 32×32 PNG images with masks (default 60,000), a clinical
 * CSV (patients of 1–4 images, two label columns) and a split file with planted problems (a
 * leaked patient, exact and near-duplicate images across splits). Times:
 *   metadata findings (load config + resolve + leakage by group + labels + counts), cold and warm;
 *   image-derived findings (scan + duplicates + property drift), cold (empty scan cache) and cached.
 * Data are generated once under bench/.data/ (git-ignored) and reused.
 * Run: npx tsx bench/splits-60k.ts [N]
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { loadConfig } from '../server/src/core/config';
import type { MedsegConfig, SplitName } from '../server/src/core/config/types';
import { resolveDataset } from '../server/src/core/dataset';
import type { ResolvedDataset } from '../server/src/core/dataset/types';
import { scanCases, type ScanResult } from '../server/src/core/scan';
import { analyzeSplits, generateSplits, imageSplitFindings, metadataSplitFindings } from '../server/src/core/splits';
import { splitCasesOf } from '../server/src/core/splits/splitCases';
import { maxOf } from '../server/src/core/util/arrays';
import { mapConcurrent } from '../server/src/core/util/concurrency';
import { createRandom } from '../server/src/core/util/random';

const SIZE = 32;
const DATA_VERSION = 3;
const DIAGNOSES = ['nevus', 'melanoma', 'keratosis', 'dermatofibroma', 'vascular'];
const DIAGNOSIS_ODDS = [0.6, 0.2, 0.12, 0.05, 0.03];
const SITES = ['torso', 'head', 'arm', 'leg'];

interface Spec {
  id: string;
  patient: string;
  diagnosis: string;
  site: string;
  /** Seed of the picture; near-duplicates share it and differ in noise only. */
  drawSeed: number;
  noiseSeed: number;
}

function pick<T>(items: readonly T[], odds: readonly number[], u: number): T {
  let acc = 0;
  for (let i = 0; i < items.length; i++) if (u < (acc += odds[i])) return items[i];
  return items[items.length - 1];
}

function drawImage(spec: Spec): { grey: Uint8Array; mask: Uint8Array } {
  const r = createRandom(spec.drawSeed);
  const noise = createRandom(spec.noiseSeed);
  const grey = new Uint8Array(SIZE * SIZE);
  const mask = new Uint8Array(SIZE * SIZE);
  const base = 60 + r.int(120);
  const gx = r.next() * 3 - 1.5;
  const gy = r.next() * 3 - 1.5;
  const empty = r.next() < 0.05;
  const cx = 6 + r.next() * 20;
  const cy = 6 + r.next() * 20;
  const rx = 2 + r.next() * 7;
  const ry = 2 + r.next() * 7;
  const shade = 30 + r.int(80);
  // A few soft bumps of either sign: enough low-frequency variety that unrelated pictures get
  // unrelated perceptual hashes, as real photographs do.
  const bumps = Array.from({ length: 10 }, () => ({ x: r.next() * SIZE, y: r.next() * SIZE, s: 1.5 + r.next() * 4, a: r.next() * 100 - 50 }));
  for (let y = 0; y < SIZE; y++)
    for (let x = 0; x < SIZE; x++) {
      const inside = !empty && ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1;
      mask[y * SIZE + x] = inside ? 255 : 0;
      let texture = 0;
      for (const b of bumps) texture += b.a * Math.exp(-((x - b.x) ** 2 + (y - b.y) ** 2) / (2 * b.s * b.s));
      const v = base + gx * (x - 16) + gy * (y - 16) + texture - (inside ? shade : 0) + noise.normal() * 3;
      grey[y * SIZE + x] = Math.max(0, Math.min(255, Math.round(v)));
    }
  return { grey, mask };
}

function planCohort(n: number): Spec[] {
  const r = createRandom(20261127);
  const specs: Spec[] = [];
  let p = 0;
  while (specs.length < n) {
    const images = 1 + r.int(4);
    const diagnosis = pick(DIAGNOSES, DIAGNOSIS_ODDS, r.next());
    const patient = `P${String(p++).padStart(6, '0')}`;
    for (let k = 0; k < images && specs.length < n; k++) {
      const i = specs.length;
      specs.push({ id: `IMG_${String(i).padStart(7, '0')}`, patient, diagnosis, site: SITES[r.int(SITES.length)], drawSeed: i * 7919 + 1, noiseSeed: i });
    }
  }
  return specs;
}

async function generate(dir: string, n: number): Promise<void> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'images'), { recursive: true });
  mkdirSync(join(dir, 'masks'), { recursive: true });
  sharp.concurrency(4);
  const specs = planCohort(n);
  // Planted near-duplicates: the last 5 images re-draw earlier pictures with other noise.
  const near = specs.slice(-5);
  near.forEach((s, k) => (s.drawSeed = specs[100 + k].drawSeed));
  let done = 0;
  await mapConcurrent(specs, 4, async (s) => {
    const { grey, mask } = drawImage(s);
    await sharp(grey, { raw: { width: SIZE, height: SIZE, channels: 1 } }).toColourspace('b-w').png().toFile(join(dir, 'images', `${s.id}.png`));
    await sharp(mask, { raw: { width: SIZE, height: SIZE, channels: 1 } }).toColourspace('b-w').png().toFile(join(dir, 'masks', `${s.id}_mask.png`));
    if (++done % 5000 === 0) process.stderr.write(`  generated ${done}/${n}\n`);
  });
  // Planted exact duplicates: images 200..204 copied over the last-but-5..9 images.
  for (let k = 0; k < 5; k++) {
    const from = specs[200 + k].id;
    const to = specs[n - 10 + k].id;
    await copyFile(join(dir, 'images', `${from}.png`), join(dir, 'images', `${to}.png`));
    await copyFile(join(dir, 'masks', `${from}_mask.png`), join(dir, 'masks', `${to}_mask.png`));
  }
  writeFileSync(join(dir, 'clinical.csv'), ['image_id,patient_id,diagnosis,site', ...specs.map((s) => `${s.id},${s.patient},${s.diagnosis},${s.site}`)].join('\n') + '\n');

  const cases = specs.map((s) => ({ id: s.id, image: '', labels: { diagnosis: s.diagnosis }, group: s.patient, predictions: {} }));
  const split = generateSplits(cases, { ratios: { train: 0.7, val: 0.15, test: 0.15 }, stratify: ['diagnosis'], seed: 1 });
  // Planted leak: one image of a train patient with several images moved to test.
  const leak = specs.find((s, i) => i > 0 && specs[i - 1].patient === s.patient && split.get(s.id) === 'train' && split.get(specs[i - 1].id) === 'train');
  if (leak) split.set(leak.id, 'test');
  writeFileSync(join(dir, 'splits.csv'), ['image_id,split', ...specs.map((s) => `${s.id},${split.get(s.id)}`)].join('\n') + '\n');
  writeFileSync(
    join(dir, 'bench.medseg.yaml'),
    [
      'name: splits-bench',
      'dataset:',
      '  images: images/*.png',
      '  masks: masks/{stem}_mask.png',
      '  labels: clinical.csv',
      '  group_column: patient_id',
      '  label_columns: [diagnosis, site]',
      'splits:',
      '  file: splits.csv',
      'models:',
      '  - name: reference',
      '    predictions: masks/{stem}_mask.png',
      'runtime:',
      '  cache: .medseg-cache',
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'meta.json'), JSON.stringify({ version: DATA_VERSION, n }));
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const value = await fn();
  return [value, performance.now() - t];
}

/** Milliseconds spent in the engine step before the split checks, and in the checks. */
interface Split {
  before: number;
  checks: number;
}

async function metadataFindings(file: string): Promise<{ config: MedsegConfig; dataset: ResolvedDataset; count: number; split: Split }> {
  const t = performance.now();
  const parsed = await loadConfig(file);
  const config = parsed.config!;
  const dataset = await resolveDataset(config);
  const t1 = performance.now();
  const findings = metadataSplitFindings(config, dataset, splitCasesOf(dataset.cases));
  return { config, dataset, count: findings.length, split: { before: t1 - t, checks: performance.now() - t1 } };
}

async function imageFindings(config: MedsegConfig, dataset: ResolvedDataset): Promise<{ scan: ScanResult; count: number; split: Split }> {
  const t = performance.now();
  const scan = await scanCases(dataset.cases, config);
  const t1 = performance.now();
  const count = imageSplitFindings(config, splitCasesOf(dataset.cases, scan.scans)).length;
  return { scan, count, split: { before: t1 - t, checks: performance.now() - t1 } };
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 60000);
  const dir = join(__dirname, '.data', `splits-${n}`);
  const metaFile = join(dir, 'meta.json');
  const fresh = !existsSync(metaFile) || JSON.parse(readFileSync(metaFile, 'utf8')).version !== DATA_VERSION;
  let generateMs = 0;
  if (fresh) {
    process.stderr.write(`Generating ${n} images and masks under ${dir} …\n`);
    [, generateMs] = await timed(() => generate(dir, n));
  }
  const file = join(dir, 'bench.medseg.yaml');

  const [cold, metaColdMs] = await timed(() => metadataFindings(file));
  const warm: [Awaited<ReturnType<typeof metadataFindings>>, number][] = [];
  for (let i = 0; i < 3; i++) warm.push(await timed(() => metadataFindings(file)));
  const { config, dataset } = cold;

  rmSync(join(dir, '.medseg-cache'), { recursive: true, force: true });
  const [imageCold, imageColdMs] = await timed(() => imageFindings(config, dataset));
  const cached: [Awaited<ReturnType<typeof imageFindings>>, number][] = [];
  for (let i = 0; i < 3; i++) cached.push(await timed(() => imageFindings(config, dataset)));
  const [all, analyzeMs] = await timed(async () => analyzeSplits(config, dataset, cached[0][0].scan));
  const bySplit: Record<SplitName, number> = { train: 0, val: 0, test: 0 };
  for (const c of dataset.cases) if (c.split) bySplit[c.split]++;
  const medianRun = <T>(runs: [T, number][]): [T, number] => [...runs].sort((a, b) => a[1] - b[1])[runs.length >> 1];
  const [warmRun, warmMs] = medianRun(warm);
  const [cachedRun, cachedMs] = medianRun(cached);
  const parts = (s: Split, before: string) => `${before} ${s.before.toFixed(0)} ms + split checks ${s.checks.toFixed(0)} ms`;

  const rows: [string, string, string][] = [
    ['metadata findings, cold (first in process)', `${metaColdMs.toFixed(0)} ms`, `${parts(cold.split, 'load + resolve')}; ${cold.count} findings`],
    ['metadata findings, warm (median of 3)', `${warmMs.toFixed(0)} ms`, `${parts(warmRun.split, 'load + resolve')}; goal < 1000 ms`],
    ['image findings, cold (scan decodes all)', `${imageColdMs.toFixed(0)} ms`, `${parts(imageCold.split, 'scan')}; ${imageCold.scan.decoded} decoded, ${imageCold.count} findings`],
    ['image findings, cached (median of 3)', `${cachedMs.toFixed(0)} ms`, `${parts(cachedRun.split, 'scan')}; ${cachedRun.scan.decoded} decoded; goal < 3000 ms`],
    ['analyzeSplits on a done scan (all checks)', `${analyzeMs.toFixed(0)} ms`, `${all.length} findings: ${[...new Set(all.map((f) => f.code))].join(', ')}`],
  ];
  if (generateMs) rows.unshift(['generate data (once)', `${(generateMs / 1000).toFixed(1)} s`, `${n} images + masks`]);
  const w0 = maxOf(rows.map((r) => r[0].length));
  const w1 = maxOf(rows.map((r) => r[1].length));
  process.stdout.write(`${n} images (${bySplit.train} train / ${bySplit.val} val / ${bySplit.test} test), ${dataset.cases.length} cases\n`);
  for (const [a, b, c] of rows) process.stdout.write(`${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}\n`);
}

void main();
