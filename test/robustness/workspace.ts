/**
 * Hostile-input workspaces for the robustness suite: a small dataset of images, masks and
 * prediction files written from code, a snapshot of every input file's bytes, and the check that
 * a command left them byte-identical. Each test file builds its own variant (the fault it
 * plants) on top of `makeWorkspace`, runs `medseg` as a user would (`runMedseg`) and asserts the
 * finding code, the exit status and `assertInputsUnchanged`.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import sharp from 'sharp';
import { cliEntry, tsxLoader } from '../cli/runCli';

export { runMedseg } from '../cli/runCli';

export interface RunOptions {
  /** Extra environment variables for the child (e.g. a fault to inject). */
  env?: Record<string, string>;
  /** Modules the child preloads with `--require` (fault injection at the write layer). */
  preload?: string[];
}

/** `runMedseg` with an environment, preloaded modules and no limit on the output (200,000 findings are 40 MB). */
export function runMedsegWith(cwd: string, options: RunOptions, ...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const preload = (options.preload ?? []).flatMap((p) => ['--require', p]);
  const r = spawnSync(process.execPath, [...preload, '--import', tsxLoader, cliEntry, ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...options.env }, maxBuffer: 1 << 30 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export interface CaseSpec {
  id: string;
  /** Lesion disc centre and radius on a `width` × `height` image. */
  cx: number;
  cy: number;
  r: number;
}

export interface WorkspaceOptions {
  /** Number of cases (ids `case_000`, …) when `ids` is not given. */
  cases?: number;
  ids?: string[];
  width?: number;
  height?: number;
  /** Also write `preds/<model>/<id>.png` 0/255 masks: the reference shifted by `shift` pixels. */
  predictionModels?: { name: string; shift: number }[];
  /** The config text; `{CACHE}` is replaced by the workspace's cache folder. */
  config?: string;
}

export interface Workspace {
  dir: string;
  cases: CaseSpec[];
  /** Absolute path of a workspace-relative path. */
  path(rel: string): string;
  write(rel: string, bytes: Uint8Array | string): void;
  remove(): void;
}

export function caseSpecs(ids: string[], width: number, height: number): CaseSpec[] {
  return ids.map((id, i) => ({ id, cx: Math.round(width * (0.3 + 0.4 * ((i * 7) % 10) / 10)), cy: Math.round(height * (0.3 + 0.4 * ((i * 3) % 10) / 10)), r: Math.max(3, Math.round(Math.min(width, height) * (0.12 + 0.02 * (i % 5)))) }));
}

/** 0/1 disc of a case, shifted right by `shift` pixels. */
export function discMask(c: CaseSpec, width: number, height: number, shift = 0): Uint8Array {
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) out[y * width + x] = (x - c.cx - shift) ** 2 + (y - c.cy) ** 2 <= c.r * c.r ? 1 : 0;
  return out;
}

export async function writeGreyPng(path: string, data: Uint8Array, width: number, height: number, scale = 255): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  const px = Buffer.alloc(width * height);
  for (let i = 0; i < px.length; i++) px[i] = data[i] * scale;
  await sharp(px, { raw: { width, height, channels: 1 } }).toColourspace('b-w').png().toFile(path);
}

export async function writeRgbImage(path: string, c: CaseSpec, width: number, height: number): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  const mask = discMask(c, width, height);
  const rgb = Buffer.alloc(width * height * 3);
  for (let p = 0; p < mask.length; p++) rgb.set(mask[p] ? [110, 70, 50] : [200, 160, 140], 3 * p);
  await sharp(rgb, { raw: { width, height, channels: 3 } }).png().toFile(path);
}

export async function makeWorkspace(options: WorkspaceOptions = {}): Promise<Workspace> {
  const dir = mkdtempSync(join(tmpdir(), 'medseg-hostile-'));
  const width = options.width ?? 32;
  const height = options.height ?? 24;
  const ids = options.ids ?? Array.from({ length: options.cases ?? 6 }, (_, i) => `case_${String(i).padStart(3, '0')}`);
  const cases = caseSpecs(ids, width, height);
  for (const c of cases) {
    await writeRgbImage(join(dir, 'images', `${c.id}.png`), c, width, height);
    await writeGreyPng(join(dir, 'masks', `${c.id}.png`), discMask(c, width, height), width, height);
    for (const m of options.predictionModels ?? []) await writeGreyPng(join(dir, 'preds', m.name, `${c.id}.png`), discMask(c, width, height, m.shift), width, height);
  }
  const ws: Workspace = {
    dir,
    cases,
    path: (rel) => join(dir, rel),
    write(rel, bytes) {
      mkdirSync(dirname(join(dir, rel)), { recursive: true });
      writeFileSync(join(dir, rel), bytes);
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
  if (options.config) ws.write('exp.medseg.yaml', options.config.replaceAll('{CACHE}', join(dir, '.cache')));
  return ws;
}

/** The config of a predictions-only experiment over `makeWorkspace`'s layout. */
export function predictionsConfig(models: string[], extra = ''): string {
  return [
    'dataset:',
    '  images: images/*.png',
    '  masks: masks/{stem}.png',
    'models:',
    ...models.map((m) => `  - name: ${m}\n    predictions: preds/${m}/{stem}.png`),
    'evaluation: { bootstrap: 20 }',
    'runtime: { cache: "{CACHE}" }',
    extra,
  ].join('\n');
}

/** sha256 of every file under `dir` (relative paths, `/`-separated), skipping folders named in `skip`. */
export function snapshotFiles(dir: string, skip: readonly string[] = []): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const rel = relative(dir, p).split(sep).join('/');
      if (skip.some((s) => rel === s || rel.startsWith(s + '/'))) continue;
      if (statSync(p).isDirectory()) walk(p);
      else out.set(rel, createHash('sha256').update(readFileSync(p)).digest('hex'));
    }
  };
  walk(dir);
  return out;
}

/** Asserts that every file of `before` still exists with the same bytes (new files elsewhere are allowed). */
export function assertInputsUnchanged(before: ReadonlyMap<string, string>, dir: string, skip: readonly string[] = []): void {
  const after = snapshotFiles(dir, skip);
  const changed = [...before].filter(([rel, hash]) => after.get(rel) !== hash).map(([rel]) => rel);
  assert.deepEqual(changed, [], `input files changed or removed: ${changed.join(', ')}`);
}

/** A `medseg` run in the background (for runs that overlap): its pid, and its end. */
export interface BackgroundRun {
  pid: number;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

export function startMedseg(cwd: string, ...args: string[]): BackgroundRun {
  const child = spawn(process.execPath, ['--import', tsxLoader, cliEntry, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Awaited<BackgroundRun['done']>>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { pid: child.pid!, done };
}

/** Resolves once `condition()` holds, checking every few milliseconds; rejects after `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}
