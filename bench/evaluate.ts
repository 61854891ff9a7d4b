/**
 * End-to-end evaluation throughput on CPU, three ways on the same ONNX model (a ≈1.9 M-parameter
 * U-Net at 256×256) and the same images, each run as its own process and timed from start to exit
 * (module loading and session creation included, as a user waits for them):
 *   bare     — the least a script can do: decode, normalise, session.run, one image at a time
 *              (bench/support/bareLoop.mjs);
 *   medseg   — `medseg evaluate` end to end (cold cache: every image inferred), with metrics,
 *              CIs, masks/probabilities/error maps written and report.html;
 *   python   — the peer a user would write: onnxruntime + Pillow + numpy/scipy (bench/evaluate_peer.py).
 *
 * `splits` says how medseg shares the cores between onnxruntime's intra-op threads and the case
 * workers: `2+1` is 2 intra-op threads and 1 case worker (at runtime.worker_priority auto: low
 * while the model runs on CPU), `2+1n` the same worker at normal priority, `2+main` 2 threads with
 * the cases on the evaluation's own thread (no pool: the layout before issue 15). The bare loop and
 * the Python peer run with each split's thread count; medseg's ratios are to them at that count.
 *
 *   npm run build && node --import tsx bench/evaluate.ts [images=200] [repeats=1] [splits=2+1]
 *   the split measurement on 2 cores: node --import tsx bench/evaluate.ts 200 2 1+1,2+1,2+1n,2+main
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeBlobDataset } from './support/blobDataset';
import { loadNow, machineLine, markdownTable, runMedseg } from './support/runMedseg';
import { buildUnet } from './support/unet';

const N = Number(process.argv[2] ?? 200);
const REPEATS = Number(process.argv[3] ?? 1);
const SPLITS = (process.argv[4] ?? '2+1').split(',').map((s) => {
  const m = /^(\d+)\+(main|\d+)([nl]?)$/.exec(s);
  if (!m) throw new Error(`a split is THREADS+WORKERS, WORKERS a number or main, optionally followed by n (normal priority) or l (low): not ${s}`);
  const priority = m[3] === 'n' ? ('normal' as const) : m[3] === 'l' ? ('low' as const) : ('auto' as const);
  return { name: s, threads: Number(m[1]), workers: m[2] === 'main' ? ('main' as const) : Number(m[2]), priority };
});
const SIZE = 256;
const dir = join(__dirname, '.data', `evaluate-${N}`);

interface Timing {
  /** Process start to exit. */
  seconds: number;
  cpuSeconds: number;
  /** The main thread's CPU alone (medseg, Linux). */
  mainCpuSeconds?: number;
  /** The image loop alone, where the process reports it. */
  loopSeconds?: number;
}

function timed(command: string, args: string[], parse: (stdout: string, stderr: string) => Omit<Timing, 'seconds'>): Timing {
  const start = performance.now();
  const r = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  const seconds = (performance.now() - start) / 1000;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return { seconds, ...parse(r.stdout, r.stderr) };
}

const number = (pattern: RegExp, text: string) => Number(pattern.exec(text)![1]);

function bareLoop(modelPath: string, threads: number): Timing {
  return timed(process.execPath, [join(__dirname, 'support', 'bareLoop.mjs'), join(dir, 'images'), modelPath, String(SIZE), String(threads)], (out) => ({
    loopSeconds: number(/LOOP_SECONDS (\S+)/, out),
    cpuSeconds: number(/CPU_SECONDS (\S+)/, out),
  }));
}

function medsegEvaluate(threads: number, workers: number | 'main', priority: string): Timing {
  const config = join(dir, `bench-${threads}-${workers}-${priority}.medseg.yaml`);
  writeFileSync(
    config,
    `name: bench\ndataset:\n  images: images/*.png\n  masks: masks/{stem}.png\nmodels:\n  - name: unet\n    path: unet.onnx\n    input: { size: [${SIZE}, ${SIZE}] }\nevaluation: { bootstrap: 2000 }\nruntime: { cache: cache, threads: ${threads}, workers: ${workers}, worker_priority: ${priority} }\noutput: results\n`,
  );
  rmSync(join(dir, 'cache'), { recursive: true, force: true });
  rmSync(join(dir, 'results'), { recursive: true, force: true });
  const r = runMedseg(['evaluate', config]);
  return { seconds: r.seconds, cpuSeconds: r.cpuSeconds, mainCpuSeconds: r.mainCpuSeconds };
}

function pythonPeer(modelPath: string, threads: number): Timing {
  const script = `TIMEFORMAT='CPU_SECONDS %U %S'; time python3 "$@"`;
  return timed('bash', ['-c', script, 'bash', join(__dirname, 'evaluate_peer.py'), dir, modelPath, String(threads)], (out, err) => {
    const [, user, system] = /CPU_SECONDS (\S+) (\S+)/.exec(err)!;
    return { loopSeconds: number(/^SECONDS (\S+)/m, out), cpuSeconds: Number(user) + Number(system) };
  });
}

const rate = (t: Timing) => (N / t.seconds).toFixed(1);
const cpuPerImage = (t: Timing) => ((1000 * t.cpuSeconds) / N).toFixed(1);

async function main(): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await writeBlobDataset(dir, N, SIZE);
  const { bytes, parameters } = buildUnet(SIZE);
  const modelPath = join(dir, 'unet.onnx');
  writeFileSync(modelPath, bytes);
  const rows: string[][] = [];
  const loads: string[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const reference = new Map<number, { bare: Timing; peer: Timing }>();
    for (const split of SPLITS) {
      loads.push(loadNow());
      let ref = reference.get(split.threads);
      if (!ref) {
        ref = { bare: bareLoop(modelPath, split.threads), peer: pythonPeer(modelPath, split.threads) };
        reference.set(split.threads, ref);
        rows.push([`bare session.run loop, ${split.threads} thread(s)`, rate(ref.bare), '1', '', cpuPerImage(ref.bare), '', (N / ref.bare.loopSeconds!).toFixed(1)]);
        rows.push([`Python peer, ${split.threads} thread(s)`, rate(ref.peer), (ref.bare.seconds / ref.peer.seconds).toFixed(2), '1', cpuPerImage(ref.peer), '', (N / ref.peer.loopSeconds!).toFixed(1)]);
      }
      const ours = medsegEvaluate(split.threads, split.workers, split.priority);
      const layout = split.workers === 'main' ? 'cases on the main thread (no pool)' : `${split.workers} case worker(s)${split.priority === 'auto' ? '' : ` at ${split.priority} priority`}`;
      rows.push([
        `**medseg evaluate ${split.name}**: ${split.threads} intra-op thread(s), ${layout}`,
        rate(ours),
        `**${(ref.bare.seconds / ours.seconds).toFixed(2)}**`,
        `**${(ref.peer.seconds / ours.seconds).toFixed(2)}×**`,
        cpuPerImage(ours),
        ((1000 * (ours.mainCpuSeconds ?? NaN)) / N).toFixed(1),
        '',
      ]);
    }
  }
  console.log(`End-to-end evaluation on CPU: ${N} RGB images ${SIZE}×${SIZE}, U-Net with ${(parameters / 1e6).toFixed(2)} M parameters, cold cache, each run its own process (start to exit)`);
  console.log(`Machine: ${machineLine()}; 1-minute load before each split: ${loads.join(', ')}\n`);
  console.log(markdownTable(['run', 'images/s end to end', 'ratio to bare', 'ratio to Python', 'CPU ms/image', 'main-thread CPU ms/image', 'loop alone, images/s'], rows));
  const summary = JSON.parse(readFileSync(join(dir, 'results', 'bench', 'summary.json'), 'utf8')) as { provider: { used: string } };
  console.log(`\nprovider used by medseg: ${summary.provider.used}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
