/**
 * Language server latency through the real protocol (`node dist/server.js --stdio`; build first).
 *
 * Cold start (issue 17): from spawning the server to its first published diagnostics on the demo
 * dermoscopy config, as an editor meets it: initialize sent at once, didOpen on its answer. Many
 * runs, medians, and the load average (the 2 development cores are shared). Goal: < 400 ms.
 * Also spawn → the first diagnostics with the engine's findings (dataset, splits: the patient leak).
 *
 * Editing: didOpen → first diagnostics, and didChange → diagnostics, on a small config and on a
 * 60,000-image config (empty files, metadata diagnostics only: image checks off).
 * Goals: < 200 ms warm edit-to-diagnostics; metadata diagnostics < 1 s cold on 60k.
 *
 * Run: node scripts/build.mjs && node --import tsx bench/lsp-latency.ts [cold|edits] [--runs R=31] [--compare S] [N=60000]
 * (no section named: both). The demo is written once under bench/.data/demo/, the large dataset
 * under bench/.data/lsp-<N>/ (git-ignored), and reused. `--compare <another server.js>` times an
 * other build's server too (e.g. an older commit's `git worktree` build), run for run alternately,
 * so both see the same load; MEDSEG_LSP_SERVER=<server.js> replaces this build's.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import type { PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { maxOf } from '../server/src/core/util/arrays';
import { LspTestClient } from '../test/lsp/lspClient';

const ROOT = join(__dirname, '..');
const SERVER = process.env.MEDSEG_LSP_SERVER || join(ROOT, 'dist', 'server.js');
const EDITS = 20;

interface Dataset {
  dir: string;
  config: string;
  n: number;
}

/** N empty images and masks, a clinical CSV (3 images per patient) and a split file with one patient leak. */
async function writeDataset(dir: string, n: number): Promise<Dataset> {
  const config = join(dir, 'bench.medseg.yaml');
  if (existsSync(config)) return { dir, config, n };
  mkdirSync(join(dir, 'images'), { recursive: true });
  mkdirSync(join(dir, 'masks'), { recursive: true });
  const clinical = ['image_id,patient_id,diagnosis'];
  const splits = ['image_id,split'];
  const splitOf = (patient: number) => (patient % 10 < 7 ? 'train' : patient % 10 < 8 ? 'val' : 'test');
  const ids = Array.from({ length: n }, (_, i) => `img_${String(i).padStart(6, '0')}`);
  // Empty files, 256 writes in flight: metadata checks never read them.
  for (let start = 0; start < n; start += 256) {
    await Promise.all(
      ids.slice(start, start + 256).flatMap((id) => [writeFile(join(dir, 'images', `${id}.png`), ''), writeFile(join(dir, 'masks', `${id}_mask.png`), '')]),
    );
  }
  for (let i = 0; i < n; i++) {
    const id = ids[i];
    const patient = Math.floor(i / 3);
    clinical.push(`${id},p${patient},${['nevus', 'melanoma', 'bcc'][patient % 3]}`);
    // The last image of patient 0 goes to test: one planted leak.
    splits.push(`${id},${i === 2 ? 'test' : splitOf(patient)}`);
  }
  writeFileSync(join(dir, 'clinical.csv'), clinical.join('\n') + '\n');
  writeFileSync(join(dir, 'splits.csv'), splits.join('\n') + '\n');
  writeFileSync(
    config,
    `name: bench
dataset:
  images: images/*.png
  masks: masks/{stem}_mask.png
  labels: clinical.csv
  group_column: patient_id
  label_columns: [diagnosis]
splits:
  file: splits.csv
models:
  - name: copy
    predictions: masks/{stem}_mask.png
evaluation:
  metrics: [dice]
`,
  );
  return { dir, config, n };
}

function quantile(sorted: number[], q: number): number {
  const i = (sorted.length - 1) * q;
  const lo = Math.floor(i);
  return sorted[lo] + (sorted[Math.ceil(i)] - sorted[lo]) * (i - lo);
}

const hasEngineFinding = (p: PublishDiagnosticsParams) => p.diagnostics.some((d) => String(d.code).startsWith('split/'));

interface Row {
  dataset: string;
  measure: string;
  value: string;
}

async function measure(label: string, ds: Dataset, rows: Row[]): Promise<void> {
  const { readFileSync } = await import('node:fs');
  const text = readFileSync(ds.config, 'utf8');
  const uri = pathToFileURL(ds.config).toString();
  const client = await LspTestClient.start({ settings: { validation: { images: false } }, rootDir: ds.dir });
  try {
    // Cold: a fresh server (worker just started at initialize), nothing cached.
    const t = performance.now();
    await client.open(uri, text);
    const first = await client.waitForDiagnostics(uri, () => true, 60_000);
    const firstMs = performance.now() - t;
    const engine = hasEngineFinding(first) ? first : await client.waitForDiagnostics(uri, (d) => d.some((x) => String(x.code).startsWith('split/')), 60_000);
    const engineMs = client.diagnosticsLog.find((e) => e.params === engine)!.at - t;
    rows.push({ dataset: label, measure: 'didOpen → first diagnostics (cold)', value: `${firstMs.toFixed(0)} ms` });
    rows.push({ dataset: label, measure: 'didOpen → metadata diagnostics (cold)', value: `${engineMs.toFixed(0)} ms` });
    await new Promise((r) => setTimeout(r, 300));

    // Warm edits that leave the dataset settings alone: a comment line added or removed at the
    // top moves every range, so every edit republishes.
    let version = 1;
    type Change = { range: { start: { line: number; character: number }; end: { line: number; character: number } }; text: string };
    /** Time from sending the change to the first diagnostics of its version that satisfy `done`. */
    const edit = async (change: Change, done: (p: PublishDiagnosticsParams) => boolean = () => true) => {
      const v = ++version;
      const start = performance.now();
      const waiting = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no diagnostics for version ${v}`)), 60_000);
        const poll = setInterval(() => {
          const hit = client.diagnosticsLog.find((e) => e.at >= start && e.params.version === v && done(e.params));
          if (hit) {
            clearInterval(poll);
            clearTimeout(timer);
            resolve();
            elapsed = hit.at - start;
          }
        }, 1);
      });
      let elapsed = 0;
      await client.change(uri, v, [change]);
      await waiting;
      return elapsed;
    };
    const times: number[] = [];
    for (let i = 0; i < EDITS; i++) {
      const add = i % 2 === 0;
      times.push(
        await edit(
          add
            ? { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# edit\n' }
            : { range: { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } }, text: '' },
        ),
      );
    }
    times.sort((a, b) => a - b);
    rows.push({ dataset: label, measure: `didChange → diagnostics, warm (median / p95 of ${EDITS})`, value: `${quantile(times, 0.5).toFixed(0)} / ${quantile(times, 0.95).toFixed(0)} ms` });

    // Edits of the dataset settings: the engine's metadata pass runs again before publishing.
    // The mask template alternates between the real one and one that matches no mask.
    const lines = text.split('\n');
    const line = lines.findIndex((l) => l.startsWith('  masks:'));
    const dsTimes: number[] = [];
    for (let i = 0; i < 6; i++) {
      const [current, next] = i % 2 === 0 ? ['{stem}_mask.png', '{stem}_nomask.png'] : ['{stem}_nomask.png', '{stem}_mask.png'];
      const character = lines[line].indexOf('{stem}');
      const missing = next.includes('nomask');
      dsTimes.push(
        await edit({ range: { start: { line, character }, end: { line, character: character + current.length } }, text: next }, (p) =>
          p.diagnostics.some((d) => d.code === 'dataset/missing-mask') === missing && hasEngineFinding(p),
        ),
      );
    }
    dsTimes.sort((a, b) => a - b);
    rows.push({ dataset: label, measure: 'didChange of dataset settings → metadata diagnostics (median of 6)', value: `${quantile(dsTimes, 0.5).toFixed(0)} ms` });
  } finally {
    await client.stop();
  }
}

interface ColdRun {
  initialized: number;
  first: number;
  firstCount: number;
  engine: number;
}

/** The demo workspace (written once by dist/demo.js): its dermoscopy config is what a new user opens first. */
function demoConfig(): string {
  const folder = join(ROOT, 'bench', '.data', 'demo');
  const config = join(folder, 'dermoscopy', 'dermoscopy.medseg.yaml');
  if (!existsSync(config)) {
    const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'demo.js'), folder], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`writing the demo failed: ${r.stderr}`);
  }
  return config;
}

/** One cold start: spawn → initialize answered → first diagnostics → first with engine findings (ms since spawn). */
async function coldRun(config: string, server = SERVER): Promise<ColdRun> {
  const text = readFileSync(config, 'utf8');
  const uri = pathToFileURL(config).toString();
  const t0 = performance.now();
  const child = spawn(process.execPath, [server, '--stdio'], { stdio: ['pipe', 'pipe', 'ignore'] });
  const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const run: Partial<ColdRun> = {};
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no engine diagnostics within 30 s')), 30_000);
    connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      if (p.uri !== uri) return;
      const at = performance.now() - t0;
      if (run.first === undefined) [run.first, run.firstCount] = [at, p.diagnostics.length];
      if (hasEngineFinding(p)) {
        run.engine = at;
        clearTimeout(timer);
        resolve();
      }
    });
  });
  connection.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => null));
  connection.onRequest('window/workDoneProgress/create', () => null);
  connection.onRequest('client/registerCapability', () => null);
  connection.onNotification(() => undefined);
  connection.listen();
  // As an editor does: initialize at once (the server reads it when it is up), didOpen on its answer.
  await connection.sendRequest('initialize', { processId: process.pid, rootUri: pathToFileURL(join(config, '..', '..')).toString(), capabilities: { workspace: { configuration: true }, window: { workDoneProgress: true } }, workspaceFolders: null });
  run.initialized = performance.now() - t0;
  await connection.sendNotification('initialized', {});
  await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'medseg', version: 1, text } });
  try {
    await done;
  } finally {
    await connection.sendRequest('shutdown').catch(() => undefined);
    await connection.sendNotification('exit').catch(() => undefined);
    await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
    connection.dispose();
  }
  return run as ColdRun;
}

/** Spawn → exit of `node -e 0`: what the machine's load costs any Node process, for comparison. */
function nodeBootMs(): number {
  const t = performance.now();
  spawnSync(process.execPath, ['-e', '0']);
  return performance.now() - t;
}

function stats(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  return `${quantile(sorted, 0.5).toFixed(0)} ms | ${quantile(sorted, 0.1).toFixed(0)}–${quantile(sorted, 0.9).toFixed(0)} ms | ${sorted[0].toFixed(0)} ms`;
}

async function measureColdStart(runs: number, compare?: string): Promise<void> {
  const config = demoConfig();
  const servers = compare ? [SERVER, compare] : [SERVER];
  const before = loadavg();
  const results: ColdRun[][] = servers.map(() => []);
  const boots: number[] = [];
  for (const server of servers) await coldRun(config, server); // warms the file system cache, not the servers
  for (let i = 0; i < runs; i++) {
    boots.push(nodeBootMs());
    for (const [k, server] of servers.entries()) {
      results[k].push(await coldRun(config, server));
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  const after = loadavg();
  const la = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  const name = (server: string) => (server === join(ROOT, 'dist', 'server.js') ? 'dist/server.js' : server);
  process.stdout.write(
    `cold start of the language server, ${runs} runs${compare ? ' each, alternating' : ''} (${new Date().toISOString().slice(0, 16)}Z; Node ${process.version}; ${cpus().length} × ${cpus()[0]?.model.trim()}; ${(totalmem() / 2 ** 30).toFixed(0)} GiB;\n` +
      `load average before ${la(before)}, after ${la(after)}): node <server.js> --stdio on bench/.data/demo/dermoscopy/dermoscopy.medseg.yaml\n\n`,
  );
  process.stdout.write('| server | from spawn to | median | p10–p90 | fastest |\n| --- | --- | ---: | ---: | ---: |\n');
  for (const [k, server] of servers.entries()) {
    const r = results[k];
    process.stdout.write(`| ${name(server)} | initialize answered | ${stats(r.map((x) => x.initialized))} |\n`);
    process.stdout.write(`| ${name(server)} | **first published diagnostics** (goal < 400 ms) | ${stats(r.map((x) => x.first))} |\n`);
    process.stdout.write(`| ${name(server)} | diagnostics with the engine's findings (patient leak, label drift) | ${stats(r.map((x) => x.engine))} |\n`);
  }
  process.stdout.write(`| – | exit of \`node -e 0\` (the load's share: any Node process) | ${stats(boots)} |\n\n`);
  for (const [k, server] of servers.entries()) {
    const counts = [...new Set(results[k].map((r) => r.firstCount))].join(', ');
    process.stdout.write(`${name(server)}: the first diagnostics held ${counts} finding(s).\n`);
  }
  process.stdout.write('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const runsAt = args.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 31;
  const compareAt = args.indexOf('--compare');
  const compare = compareAt >= 0 ? args.splice(compareAt, 2)[1] : undefined;
  const section = args[0] === 'cold' || args[0] === 'edits' ? args.shift() : undefined;
  const n = Number(args[0] ?? 60000);
  if (!existsSync(join(ROOT, 'dist', 'server.js'))) throw new Error('build first: node scripts/build.mjs');
  if (section !== 'edits') await measureColdStart(runs, compare);
  if (section === 'cold') return;
  const rows: Row[] = [];
  let t = performance.now();
  const small = await writeDataset(join(ROOT, 'bench', '.data', 'lsp-30'), 30);
  const large = await writeDataset(join(ROOT, 'bench', '.data', `lsp-${n}`), n);
  const genMs = performance.now() - t;
  await measure('30 images', small, rows);
  await measure(`${n} images`, large, rows);
  const w = [Math.max(maxOf(rows.map((r) => r.dataset.length)), 7), maxOf(rows.map((r) => r.measure.length)), maxOf(rows.map((r) => r.value.length))];
  const line = (a: string, b: string, c: string) => `| ${a.padEnd(w[0])} | ${b.padEnd(w[1])} | ${c.padStart(w[2])} |`;
  process.stdout.write(`language server latency (dist/server.js over stdio; datasets ready in ${(genMs / 1000).toFixed(1)} s)\n\n`);
  process.stdout.write(`${line('dataset', 'measure', 'time')}\n| ${'-'.repeat(w[0])} | ${'-'.repeat(w[1])} | ${'-'.repeat(w[2] - 1)}: |\n`);
  for (const r of rows) process.stdout.write(`${line(r.dataset, r.measure, r.value)}\n`);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
