import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { SHARD_INDEX, type BatchJobSpec } from '../../../server/src/core/batch/jobSpec';
import { arraySpec, mergeScript, shardsScript, shellCommand } from '../../../server/src/core/batch/sbatchScripts';

const dir = mkdtempSync(join(tmpdir(), 'medseg-sbatch-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A stand-in for node + medseg: records the words it was given (as bash passed them) and exits
 * with the status in FAKE_EXIT. The scripts are then run by bash itself, the reference for quoting.
 */
const fake = join(dir, 'fake-medseg.cjs');
writeFileSync(fake, "require('fs').appendFileSync(process.env.FAKE_LOG, JSON.stringify(process.argv.slice(2)) + '\\n'); process.exit(Number(process.env.FAKE_EXIT ?? 0));\n");

function spec(overrides: Partial<BatchJobSpec> = {}): BatchJobSpec {
  const work = join(dir, "study's jobs (v2)");
  return {
    version: 1,
    scheduler: 'slurm',
    config: join(dir, 'my study', 'study $HOME.medseg.yaml'),
    config_sha256: 'x',
    experiment: 'study',
    shards: 3,
    tasks: ['evaluate'],
    results: join(dir, 'results `x`'),
    work,
    medseg: [process.execPath, fake],
    resources: {},
    submissions: [],
    ...overrides,
  };
}

function runScript(text: string, taskId: number, exit: number): { status: number | null; stderr: string; calls: string[][] } {
  const script = join(dir, `script-${Math.random().toString(36).slice(2)}.sh`);
  const log = join(dir, `log-${Math.random().toString(36).slice(2)}.jsonl`);
  writeFileSync(script, text);
  writeFileSync(log, '');
  const r = spawnSync('bash', [script], { encoding: 'utf8', env: { ...process.env, SLURM_ARRAY_TASK_ID: String(taskId), SLURM_ARRAY_JOB_ID: '77', FAKE_LOG: log, FAKE_EXIT: String(exit) } });
  return { status: r.status, stderr: r.stderr, calls: readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) };
}

describe('sbatch scripts', () => {
  test('array ranges: runs collapsed, sorted, each id once, with the throttle', () => {
    assert.equal(arraySpec([0, 1, 2]), '0-2');
    assert.equal(arraySpec([9, 0, 3, 2, 1, 10, 7, 3]), '0-3,7,9-10');
    assert.equal(arraySpec([4], 2), '4%2');
    assert.equal(arraySpec([0, 1, 2, 3], 2), '0-3%2');
  });

  test('a word holding the shard index is quoted around "$I"', () => {
    assert.equal(shellCommand([`${SHARD_INDEX}/3`]), '"$I"/3');
    assert.equal(shellCommand([`/a b/shards/${SHARD_INDEX}`]), `'/a b/shards/'"$I"`);
    assert.equal(shellCommand(['plain', "it's"]), `plain 'it'\\''s'`);
  });

  test('task K runs shard K+1 of N with every path as given (bash reads the quoting)', () => {
    const s = spec();
    const r = runScript(shardsScript(s), 1, 0);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.calls, [['evaluate', s.config, '--shard', '2/3', '--output', join(s.work, 'shards', '2')]]);
  });

  test('exit statuses 0, 3 and 4 leave a complete shard; any other fails the task with the cause', () => {
    const s = spec({ tasks: ['evaluate', 'explain'], method: 'gradcam', split: 'val', provider: 'cpu' });
    const done = runScript(shardsScript(s), 0, 3);
    assert.equal(done.status, 0);
    assert.deepEqual(done.calls, [
      ['evaluate', s.config, '--shard', '1/3', '--output', join(s.work, 'shards', '1'), '--split', 'val', '--provider', 'cpu'],
      ['explain', s.config, '--shard', '1/3', '--output', join(s.work, 'shards', '1'), '--images', 'all', '--method', 'gradcam', '--provider', 'cpu'],
    ]);
    assert.equal(runScript(shardsScript(s), 2, 4).status, 0);
    const failed = runScript(shardsScript(s), 2, 74);
    assert.equal(failed.status, 74);
    assert.equal(failed.calls.length, 1, 'explain does not run after evaluate failed');
    assert.match(failed.stderr, /medseg shard 3\/3: evaluate ended with exit status 74; the shard is incomplete/);
  });

  test('--run evaluate,stress,umap: each shard evaluates, stresses and extracts its UMAP features in turn; the merge (which embeds them) is the same command', () => {
    const s = spec({ tasks: ['evaluate', 'stress', 'umap'], split: 'test', provider: 'cpu' });
    const text = shardsScript(s);
    assert.match(text, /^# Shard \$\(\(SLURM_ARRAY_TASK_ID \+ 1\)\) of 3: evaluate then stress then umap of this shard's images\.$/m);
    const done = runScript(text, 2, 0);
    assert.equal(done.status, 0, done.stderr);
    const out = join(s.work, 'shards', '3');
    assert.deepEqual(done.calls, [
      ['evaluate', s.config, '--shard', '3/3', '--output', out, '--split', 'test', '--provider', 'cpu'],
      ['stress', s.config, '--shard', '3/3', '--output', out, '--split', 'test', '--provider', 'cpu'],
      // The maps hold every split's images: no --split.
      ['umap', s.config, '--shard', '3/3', '--output', out, '--provider', 'cpu'],
    ]);
    const failed = runScript(text, 0, 70);
    assert.equal(failed.calls.length, 1, 'nothing runs after evaluate failed');
    const merged = runScript(mergeScript(s), 0, 0);
    assert.deepEqual(merged.calls, [['merge', ...[1, 2, 3].map((i) => join(s.work, 'shards', String(i))), '--output', s.results]]);
  });

  test('the merge script merges every shard folder into the results folder and exits with merge\'s status', () => {
    const s = spec();
    const r = runScript(mergeScript(s), 0, 3);
    assert.equal(r.status, 3);
    assert.deepEqual(r.calls, [['merge', ...[1, 2, 3].map((i) => join(s.work, 'shards', String(i))), '--output', s.results]]);
  });

  test('resources become #SBATCH lines: the shards get the GPU and constraint, the merge one CPU', () => {
    const s = spec({
      resources: { partition: 'gpu', account: 'lab', qos: 'normal', time: '4:00:00', cpus: 8, mem: '32G', gres: 'gpu:a100:1', constraint: 'a100', mergeMem: '4G', sbatchArgs: ['--mail-type=END'], setup: ['module load nodejs/20'] },
    });
    const directives = (text: string) => text.split('\n').filter((l) => l.startsWith('#SBATCH ')).map((l) => l.slice(8));
    assert.deepEqual(directives(shardsScript(s)), [
      '--job-name=medseg-study',
      `--output=${s.work}/logs/shard-%A_%a.out`,
      '--partition=gpu',
      '--account=lab',
      '--qos=normal',
      '--time=4:00:00',
      '--cpus-per-task=8',
      '--mem=32G',
      '--gres=gpu:a100:1',
      '--constraint=a100',
      '--mail-type=END',
    ]);
    assert.deepEqual(directives(mergeScript(s)), [
      '--job-name=medseg-study-merge',
      `--output=${s.work}/logs/merge-%j.out`,
      '--partition=gpu',
      '--account=lab',
      '--qos=normal',
      '--time=4:00:00',
      '--cpus-per-task=1',
      '--mem=4G',
      '--mail-type=END',
    ]);
    // The setup line runs before `set -u` (environment modules read unset variables).
    const lines = shardsScript(s).split('\n');
    assert.ok(lines.indexOf('module load nodejs/20') < lines.indexOf('set -u'));
    assert.ok(lines.indexOf('module load nodejs/20') > lines.map((l) => l.startsWith('#SBATCH')).lastIndexOf(true), 'after the directives, which sbatch reads only before the first command');
  });
});
