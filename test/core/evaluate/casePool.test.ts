// The case pool stops as a user expects (issue 15): an abort stops every worker, and nothing is
// written after the run has answered; a write the disk refuses in a worker ends the run with the
// write error (exit 74), as it did on one thread; the workers are then reused by the next run.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../../server/src/core/config';
import type { MedsegConfig } from '../../../server/src/core/config/types';
import { resolveDataset } from '../../../server/src/core/dataset';
import type { ResolvedDataset } from '../../../server/src/core/dataset/types';
import { evaluateExperiment } from '../../../server/src/core/evaluate';
import { LOCK_FILE } from '../../../server/src/core/results/lock';
import { cliEntry, tsxLoader } from '../../cli/runCli';
import { makeWorkspace, predictionsConfig, runMedsegWith, type Workspace } from '../../robustness/workspace';

const WRITE_FAULT = join(__dirname, '..', '..', 'robustness', 'writeFault.cjs');

/** Every file under `root` with its size, relative paths. */
function listing(root: string): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(root, p), statSync(p).size);
    }
  };
  if (existsSync(root)) walk(root);
  return out;
}

describe('the case pool stops cleanly', () => {
  let ws: Workspace;
  let config: MedsegConfig;
  let dataset: ResolvedDataset;

  before(async () => {
    ws = await makeWorkspace({
      cases: 40,
      width: 48,
      height: 40,
      predictionModels: [
        { name: 'a', shift: 1 },
        { name: 'b', shift: -2 },
        { name: 'c', shift: 3 },
      ],
      config: predictionsConfig(['a', 'b', 'c'], 'evaluation: { bootstrap: 20, fusion: [union, intersection, majority, staple, best] }').replace('evaluation: { bootstrap: 20 }\n', ''),
    });
    const parsed = await loadConfig(ws.path('exp.medseg.yaml'));
    assert.ok(parsed.config, JSON.stringify(parsed.findings));
    config = parsed.config;
    dataset = await resolveDataset(config);
  });
  after(() => ws.remove());

  test('an abort half-way stops all 3 workers: no write after the run answered, no temp file, the lock released; the next run reuses the workers', async () => {
    const out = ws.path('aborted');
    const controller = new AbortController();
    let seen = 0;
    const run = evaluateExperiment(config, dataset, {
      outputDir: out,
      workers: 3,
      report: false,
      signal: controller.signal,
      onProgress: () => {
        if (++seen === 5) controller.abort(new Error('stopped by the user'));
      },
    });
    await assert.rejects(run, /stopped by the user/);
    const atAnswer = listing(out);
    assert.ok(!atAnswer.has(LOCK_FILE), 'the lock is released');
    assert.deepEqual([...atAnswer.keys()].filter((f) => f.endsWith('.tmp')), [], 'no temp file is left');
    assert.ok([...atAnswer.keys()].filter((f) => f.startsWith('masks')).length < 40 * 8, 'the run stopped before the end');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(listing(out), atAnswer, 'nothing is written after the run answered');

    const whole = await evaluateExperiment(config, dataset, { outputDir: ws.path('whole'), workers: 3, report: false });
    assert.equal(whole.summary.images, 40);
    const one = await evaluateExperiment(config, dataset, { outputDir: ws.path('one'), workers: 1, report: false });
    assert.ok(readFileSync(ws.path('whole/per_image.csv')).equals(readFileSync(ws.path('one/per_image.csv'))));
    assert.equal(one.table.size, 40 * 8);
  });

  test('a disk that fills while a worker writes a case: io/disk-full naming the file and --output, exit 74, no stack trace, no lock left', () => {
    const r = runMedsegWith(ws.dir, { preload: [WRITE_FAULT], env: { MEDSEG_TEST_WRITE_FAULT: 'ENOSPC:errors' } }, 'evaluate', 'exp.medseg.yaml', '--output', 'full');
    assert.equal(r.code, 74, r.stderr);
    assert.match(r.stderr, /full\/errors\/.+ cannot be written: no space is left on the device \(ENOSPC\)\. Choose a writable results folder: `--output DIR`.*\[io\/disk-full\]/);
    assert.doesNotMatch(r.stderr + r.stdout, /internal error|please report|\n\s+at .+:\d+:\d+\)?\n/i);
    assert.ok(!existsSync(ws.path(join('full', LOCK_FILE))));
  });

  test('Ctrl-C during a run with 2 workers: exit 130, what was finished is kept, no temp file, the lock released', async () => {
    const out = ws.path('interrupted');
    const text = readFileSync(ws.path('exp.medseg.yaml'), 'utf8');
    ws.write('two.medseg.yaml', text.replace(/runtime: \{ cache: (.*) \}/, 'runtime: { cache: $1, workers: 2 }'));
    assert.match(readFileSync(ws.path('two.medseg.yaml'), 'utf8'), /workers: 2 \}/);
    const child = spawn(process.execPath, ['--import', tsxLoader, cliEntry, 'evaluate', 'two.medseg.yaml', '--output', 'interrupted'], { cwd: ws.dir });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Interrupt once the workers have written their first files.
    const deadline = Date.now() + 60_000;
    while (!existsSync(join(out, 'masks')) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    child.kill('SIGINT');
    // 40 cases, statistics and a report take far longer than the first case's files: the signal comes mid-run.
    assert.equal(await exited, 130, stderr);
    assert.match(stderr, /interrupted/i);
    assert.doesNotMatch(stderr, /internal error|please report/i);
    const files = listing(out);
    assert.ok(!files.has(LOCK_FILE), 'the lock is released');
    assert.deepEqual([...files.keys()].filter((f) => f.endsWith('.tmp')), [], 'no temp file is left');
    assert.ok([...files.keys()].some((f) => f.startsWith('masks')), 'the finished cases are kept');
  });
});
