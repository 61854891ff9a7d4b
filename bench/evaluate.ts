/**
 * Evaluation throughput, three ways on the same ONNX model (a ≈1.9 M-parameter U-Net at 256×256)
 * and the same images, each run as its own process and timed from start to exit (module loading
 * and session creation included, as a user waits for them):
 *   bare     — the least a script can do: decode, normalise, session.run, one image at a time
 *              (bench/support/bareLoop.mjs);
 *   medseg   — `medseg evaluate` end to end (cold cache: every image inferred), with metrics,
 *              CIs, masks/probabilities/error maps written and report.html;
 *   python   — the peer a user would write: onnxruntime + Pillow + numpy/scipy (bench/evaluate_peer.py).
 * Also printed: each process's CPU seconds, and the bare and Python loops' own time (no start-up).
 *
 * `threads` is onnxruntime's intra-op thread count on all three sides (default: every core). With
 * 1 thread on a 2-core machine inference leaves a core free, the shape of a GPU run, where the
 * pipeline's decoding, metrics and writing overlap inference instead of competing with it.
 *
 *   npm run build && node --import tsx bench/evaluate.ts [images=200] [repeats=1] [threads=cores]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { writeBlobDataset } from './support/blobDataset';
import { buildUnet } from './support/unet';

const N = Number(process.argv[2] ?? 200);
const REPEATS = Number(process.argv[3] ?? 1);
const THREADS = Number(process.argv[4] ?? cpus().length);
const SIZE = 256;
const dir = join(__dirname, '.data', `evaluate-${N}`);

interface Timing {
  /** Process start to exit. */
  seconds: number;
  cpuSeconds: number;
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

function bareLoop(modelPath: string): Timing {
  return timed(process.execPath, [join(__dirname, 'support', 'bareLoop.mjs'), join(dir, 'images'), modelPath, String(SIZE), String(THREADS)], (out) => ({
    loopSeconds: number(/LOOP_SECONDS (\S+)/, out),
    cpuSeconds: number(/CPU_SECONDS (\S+)/, out),
  }));
}

function medsegEvaluate(config: string): Timing {
  rmSync(join(dir, 'cache'), { recursive: true, force: true });
  rmSync(join(dir, 'results'), { recursive: true, force: true });
  return timed(process.execPath, [join(__dirname, 'support', 'rssWrapper.cjs'), 'evaluate', config], (_, err) => ({ cpuSeconds: number(/CPU_SECONDS (\S+)/, err) }));
}

function pythonPeer(modelPath: string): Timing {
  const script = `TIMEFORMAT='CPU_SECONDS %U %S'; time python3 "$@"`;
  return timed('bash', ['-c', script, 'bash', join(__dirname, 'evaluate_peer.py'), dir, modelPath, String(THREADS)], (out, err) => {
    const [, user, system] = /CPU_SECONDS (\S+) (\S+)/.exec(err)!;
    return { loopSeconds: number(/^SECONDS (\S+)/m, out), cpuSeconds: Number(user) + Number(system) };
  });
}

function line(name: string, t: Timing, bare: Timing): string {
  const loop = t.loopSeconds === undefined ? '' : `, loop alone ${(N / t.loopSeconds).toFixed(1)} images/s`;
  const cpu = `, ${((1000 * t.cpuSeconds) / N).toFixed(1)} ms CPU/image`;
  return `${name.padEnd(22)} ${(N / t.seconds).toFixed(1).padStart(6)} images/s end to end (${t.seconds.toFixed(2)} s; ratio to bare ${(bare.seconds / t.seconds).toFixed(2)}${cpu}${loop})`;
}

async function main(): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await writeBlobDataset(dir, N, SIZE);
  const { bytes, parameters } = buildUnet(SIZE);
  const modelPath = join(dir, 'unet.onnx');
  writeFileSync(modelPath, bytes);
  const config = join(dir, 'bench.medseg.yaml');
  writeFileSync(
    config,
    `dataset:\n  images: images/*.png\n  masks: masks/{stem}.png\nmodels:\n  - name: unet\n    path: unet.onnx\n    input: { size: [${SIZE}, ${SIZE}] }\nevaluation: { bootstrap: 2000 }\nruntime: { cache: cache, threads: ${THREADS} }\noutput: results\n`,
  );
  console.log(`${N} images ${SIZE}×${SIZE}, U-Net with ${(parameters / 1e6).toFixed(2)} M parameters, ${cpus().length} cores, ${cpus()[0].model}, ${THREADS} intra-op thread(s)`);
  for (let r = 0; r < REPEATS; r++) {
    const bare = bareLoop(modelPath);
    const ours = medsegEvaluate(config);
    const peer = pythonPeer(modelPath);
    console.log(line('bare session.run loop', bare, bare));
    console.log(line('medseg evaluate (cold)', ours, bare));
    console.log(line('python peer', peer, bare));
    console.log(`medseg / python = ${(peer.seconds / ours.seconds).toFixed(2)} end to end`);
  }
  const summary = JSON.parse(readFileSync(join(dir, 'results', 'bench', 'summary.json'), 'utf8')) as { provider: { used: string } };
  console.log(`provider used by medseg: ${summary.provider.used}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
