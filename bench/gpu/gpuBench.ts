/**
 * The GPU check (issue 15), bundled by bench/gpu/prepare.sh into `.carry/gpu-bench.js` and run by
 * bench/gpu/run.sh on the GPU machine (or on any machine: without a GPU it says so and still
 * measures the CPU). Writes N blob images of 256×256, the bench U-Net (≈1.9 M parameters, 256×256)
 * and a demo model (dermoscopy tii-sharp, 128×128), then runs `medseg evaluate` on them with
 * `--provider cpu` and `--provider webgpu` (cold caches, timed from process start to exit), and
 * prints a Markdown table: provider, images/s, and the per-image agreement of the two providers —
 * the largest |Δp| of the 16-bit probability maps, Dice against the reference under each, and the
 * Dice between the two providers' masks; then whether WebGPU results depend on the batch (case_batch
 * 1 against auto), what `auto` chose, and the projected time of 30 models × 59,967 images.
 *
 *   node gpu-bench.js --dist DIR --work DIR [--images 500] [--gpu-provider webgpu]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { decodePlainPng } from '../../server/src/core/io/pngDecode';
import { readPerImageTable } from '../../server/src/core/results/readPerImage';
import { buildDemoModel } from '../../server/src/demo/models';
import { writeBlobDataset } from '../support/blobDataset';
import { buildUnet } from '../support/unet';

const SEED_MODELS = 30;
const SEED_IMAGES = 59_967;

function arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && process.argv[i + 1] !== undefined) return process.argv[i + 1];
  if (fallback === undefined) throw new Error(`--${name} is required`);
  return fallback;
}

const DIST = arg('dist');
/** The provider compared with CPU; `--gpu-provider cpu` runs the GPU half on CPU, to check this script's own comparison on a machine without a GPU. */
const GPU = arg('gpu-provider', 'webgpu');
const WORK = arg('work');
const N = Number(arg('images', '500'));
const MODELS = [
  { name: 'unet', size: 256, file: 'unet.onnx' },
  { name: 'demo', size: 128, file: 'demo.onnx' },
];

interface Run {
  provider: string;
  code: number | null;
  seconds: number;
  stderr: string;
  out: string;
  summary?: { provider?: { used: string; attempts: { provider: string; ok: boolean; reason: string }[] }; skipped_models?: { name: string; reason: string }[]; models?: Record<string, { inferences: number }> };
}

function config(name: string, extra: string): string {
  const file = join(WORK, `${name}.medseg.yaml`);
  writeFileSync(
    file,
    `name: gpu\ndataset:\n  images: images/*.png\n  masks: masks/{stem}.png\nmodels:\n` +
      MODELS.map((m) => `  - name: ${m.name}\n    path: ${m.file}\n    input: { size: [${m.size}, ${m.size}] }\n`).join('') +
      `evaluation: { bootstrap: 200, fusion: [] }\nruntime: { cache: cache-${name}${extra} }\noutput: out-${name}\n`,
  );
  return file;
}

/** `medseg evaluate` as its own process: wall time from start to exit. */
function evaluate(name: string, provider: string, extra = '', images = 'images/*.png'): Run {
  const file = config(name, extra);
  if (images !== 'images/*.png') writeFileSync(file, readFileSync(file, 'utf8').replace('images/*.png', images));
  rmSync(join(WORK, `cache-${name}`), { recursive: true, force: true });
  rmSync(join(WORK, `out-${name}`), { recursive: true, force: true });
  const start = performance.now();
  const r = spawnSync(process.execPath, [join(DIST, 'cli.js'), 'evaluate', file, '--provider', provider], { cwd: WORK, encoding: 'utf8', maxBuffer: 64 << 20 });
  const seconds = (performance.now() - start) / 1000;
  const out = join(WORK, `out-${name}`, 'gpu');
  const summaryFile = join(out, 'summary.json');
  const summary = existsSync(summaryFile) ? (JSON.parse(readFileSync(summaryFile, 'utf8')) as Run['summary']) : undefined;
  return { provider, code: r.status, seconds, stderr: r.stderr, out, summary };
}

/** The 16-bit probabilities of prob/<model>/<id>.png. */
function prob(run: Run, model: string, id: string): Uint16Array | undefined {
  const file = join(run.out, 'prob', model, `${id}.png`);
  if (!existsSync(file)) return undefined;
  return decodePlainPng(readFileSync(file))?.data as Uint16Array | undefined;
}

interface Agreement {
  images: number;
  maxAbsDelta: number;
  meanDiceA: number;
  meanDiceB: number;
  maxAbsDiceDelta: number;
  /** Dice between the two providers' masks (threshold 0.5), lowest over images. */
  minMaskDice: number;
}

async function agreement(a: Run, b: Run, model: string, ids: readonly string[]): Promise<Agreement | undefined> {
  const ta = await readPerImageTable(join(a.out, 'per_image.csv'));
  const tb = await readPerImageTable(join(b.out, 'per_image.csv'));
  let images = 0;
  let maxAbsDelta = 0;
  let sumA = 0;
  let sumB = 0;
  let maxAbsDiceDelta = 0;
  let minMaskDice = 1;
  const cut = Math.ceil(0.5 * 65535 - 1e-9);
  for (const id of ids) {
    const pa = prob(a, model, id);
    const pb = prob(b, model, id);
    const ia = ta.findImage(id);
    const ib = tb.findImage(id);
    if (!pa || !pb || ia === undefined || ib === undefined) continue;
    images++;
    let inter = 0;
    let sizes = 0;
    for (let i = 0; i < pa.length; i++) {
      const d = Math.abs(pa[i] - pb[i]) / 65535;
      if (d > maxAbsDelta) maxAbsDelta = d;
      const ma = pa[i] >= cut ? 1 : 0;
      const mb = pb[i] >= cut ? 1 : 0;
      inter += ma & mb;
      sizes += ma + mb;
    }
    minMaskDice = Math.min(minMaskDice, sizes === 0 ? 1 : (2 * inter) / sizes);
    const da = ta.value(model, 'dice', ia) ?? NaN;
    const db = tb.value(model, 'dice', ib) ?? NaN;
    sumA += da;
    sumB += db;
    maxAbsDiceDelta = Math.max(maxAbsDiceDelta, Math.abs(da - db));
  }
  if (images === 0) return undefined;
  return { images, maxAbsDelta, meanDiceA: sumA / images, meanDiceB: sumB / images, maxAbsDiceDelta, minMaskDice };
}

/** A Markdown table; columns after the first are right-aligned unless `left` says otherwise. */
function table(header: string[], rows: string[][], left: number[] = [0]): string {
  return [`| ${header.join(' | ')} |`, `| ${header.map((_, i) => (left.includes(i) ? '---' : '---:')).join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function gpuName(): string {
  const r = spawnSync('nvidia-smi', ['--query-gpu=name,memory.total,driver_version', '--format=csv,noheader'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim().split('\n').join('; ') : 'no NVIDIA GPU visible (nvidia-smi absent or failing)';
}

function reasonOf(run: Run): string {
  const skipped = run.summary?.skipped_models?.map((m) => `${m.name}: ${m.reason}`) ?? [];
  if (skipped.length > 0) return skipped.join(' / ');
  const line = run.stderr.split('\n').find((l) => /error:/.test(l));
  return line ?? `exit ${run.code}`;
}

async function main(): Promise<void> {
  mkdirSync(WORK, { recursive: true });
  console.log(`## MedSeg Eval GPU check\n`);
  console.log(`- machine: ${cpus().length} cores (${cpus()[0]?.model.trim()}), GPU: ${gpuName()}`);
  console.log(`- node ${process.version}, ${new Date().toISOString()}, load average ${loadavg().map((l) => l.toFixed(2)).join(' / ')}`);
  const t0 = performance.now();
  const { ids } = await writeBlobDataset(WORK, N, 256);
  writeFileSync(join(WORK, 'unet.onnx'), buildUnet(256).bytes);
  writeFileSync(join(WORK, 'demo.onnx'), buildDemoModel('dermoscopy', 'tii-sharp'));
  console.log(`- data: ${N} images 256×256 written in ${((performance.now() - t0) / 1000).toFixed(1)} s; models: bench U-Net 256×256, demo dermoscopy tii-sharp 128×128\n`);

  const cpu = evaluate('cpu', 'cpu');
  if (cpu.code !== 0) {
    console.log(`CPU run failed (exit ${cpu.code}):\n\n\`\`\`\n${cpu.stderr.slice(-3000)}\n\`\`\``);
    process.exitCode = 1;
    return;
  }
  const gpu = evaluate(GPU, GPU);
  const gpuRan = gpu.code === 0 && gpu.summary?.provider?.used === GPU;
  const perModelImage = (r: Run) => (1000 * r.seconds) / (N * MODELS.length);
  const rows = [[`cpu (${cpus().length} cores)`, cpu.seconds.toFixed(1), (N / cpu.seconds).toFixed(1), perModelImage(cpu).toFixed(2), `${((SEED_MODELS * SEED_IMAGES * perModelImage(cpu)) / 3.6e6).toFixed(2)} h`]];
  if (gpuRan) rows.push([GPU, gpu.seconds.toFixed(1), (N / gpu.seconds).toFixed(1), perModelImage(gpu).toFixed(2), `${((SEED_MODELS * SEED_IMAGES * perModelImage(gpu)) / 3.6e6).toFixed(2)} h`]);
  console.log(`### Throughput: \`medseg evaluate\`, ${N} images × ${MODELS.length} models, cold cache, process start to exit\n`);
  console.log(table(['provider', 'wall s', 'images/s (both models)', 'ms per image and model', `projected ${SEED_MODELS} models × ${SEED_IMAGES.toLocaleString('en')} images`], rows));
  if (!gpuRan) {
    console.log(`\n**${GPU} did not run here**: ${gpu.code === 0 ? `medseg used ${gpu.summary?.provider?.used}` : reasonOf(gpu)}.`);
    console.log('No GPU result: the CPU numbers above are this machine\'s; nothing was measured on a GPU.');
  } else {
    console.log(`\n${GPU} / CPU throughput: ${(cpu.seconds / gpu.seconds).toFixed(2)}×`);
    console.log(`\n### Agreement of the two providers, per image (probabilities as stored, 16-bit)\n`);
    const agreeRows: string[][] = [];
    for (const m of MODELS) {
      const a = await agreement(cpu, gpu, m.name, ids);
      if (!a) continue;
      agreeRows.push([m.name, String(a.images), a.maxAbsDelta.toExponential(2), a.meanDiceA.toFixed(4), a.meanDiceB.toFixed(4), a.maxAbsDiceDelta.toExponential(2), a.minMaskDice.toFixed(4)]);
    }
    console.log(table(['model', 'images', 'max \\|Δp\\|', 'mean Dice (cpu)', `mean Dice (${GPU})`, 'max \\|ΔDice\\|', 'lowest Dice between the masks'], agreeRows));
    // Batches are fixed by case order, so worker counts never change a result; does WebGPU's result depend on the batch itself?
    const subset = 'images/img_00000*.png';
    const single = evaluate('gpu-b1', GPU, ', case_batch: 1', subset);
    const batched = evaluate('gpu-batched', GPU, GPU === 'cpu' ? ', case_batch: 8' : '', subset);
    if (single.code === 0 && batched.code === 0) {
      const sub = ids.filter((id) => id.startsWith('img_00000'));
      const rowsB = [];
      for (const m of MODELS) {
        const a = await agreement(single, batched, m.name, sub);
        if (a) rowsB.push([m.name, String(a.images), a.maxAbsDelta.toExponential(2), a.maxAbsDiceDelta.toExponential(2)]);
      }
      console.log(`\n### ${GPU}, one image per run against batched (case_batch 1 vs ${GPU === 'cpu' ? '8' : 'auto'})\n`);
      console.log(table(['model', 'images', 'max \\|Δp\\|', 'max \\|ΔDice\\|'], rowsB));
      const batchLine = batched.stderr.split('\n').filter((l) => l.includes('runtime/gpu-batch'));
      for (const l of batchLine) console.log(`\n${l.trim()}`);
    } else {
      console.log(`\nBatch check not run: ${reasonOf(single.code !== 0 ? single : batched)}`);
    }
  }
  const auto = evaluate('auto', 'auto', '', 'images/img_00000[0-3].png');
  const attempts = auto.summary?.provider?.attempts ?? [];
  console.log(`\n### What \`--provider auto\` chose: ${auto.summary?.provider?.used ?? `nothing (exit ${auto.code})`}\n`);
  console.log(table(['provider', 'started', 'why not'], attempts.map((a) => [a.provider, a.ok ? 'yes' : 'no', a.reason.replace(/\|/g, '\\|') || '—']), [0, 1, 2]));
  console.log(`\nProjection: time per image and model of this run × ${SEED_MODELS} models × ${SEED_IMAGES.toLocaleString('en')} images; fusion of 30 masks and the 435 pairwise comparisons not included.`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
