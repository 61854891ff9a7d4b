/**
 * Shared by the benchmarks that time `medseg` as users run it: each run is its own process
 * (`dist/cli.js` through rssWrapper.cjs), timed from start to exit, with its CPU time (all threads)
 * and peak RSS; and the machine line every table starts with (cores, CPU, load average: the
 * development machine's 2 cores are shared, so a loaded number is an upper bound on time).
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';

export interface MedsegRun {
  seconds: number;
  cpuSeconds: number;
  /** CPU seconds of the main thread alone (Linux), NaN elsewhere. */
  mainCpuSeconds: number;
  rssMb: number;
  stdout: string;
  stderr: string;
}

const wrapper = join(__dirname, 'rssWrapper.cjs');

export function runMedseg(args: string[], options: { allowFailure?: boolean } = {}): MedsegRun {
  const start = performance.now();
  const r = spawnSync(process.execPath, [wrapper, ...args], { encoding: 'utf8', maxBuffer: 256 << 20 });
  const seconds = (performance.now() - start) / 1000;
  if (r.status !== 0 && !options.allowFailure) throw new Error(`medseg ${args.join(' ')} failed (${r.status}):\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-4000)}`);
  return {
    seconds,
    cpuSeconds: Number(/\nCPU_SECONDS (\S+)/.exec(r.stderr)?.[1] ?? NaN),
    mainCpuSeconds: Number(/MAIN_THREAD_CPU_SECONDS (\S+)/.exec(r.stderr)?.[1] ?? NaN),
    rssMb: Number(/MAXRSS_KB (\d+)/.exec(r.stderr)?.[1] ?? NaN) / 1024,
    stdout: r.stdout,
    stderr: r.stderr,
  };
}

/** `2 cores (AMD EPYC …), 24 GiB, Node v20…, load average 1.2 / 0.9 / 0.7 (1/5/15 min)`. */
export function machineLine(): string {
  const c = cpus();
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');
  return `${c.length} cores (${c[0]?.model.trim() ?? 'unknown CPU'}), ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 16)}Z, load average ${load} (1/5/15 min)`;
}

/** The 1-minute load average as a table cell. */
export function loadNow(): string {
  return loadavg()[0].toFixed(2);
}

/** A Markdown table. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  const align = header.map((_, i) => (i === 0 ? '---' : '---:'));
  return [line(header), line(align), ...rows.map(line)].join('\n');
}
