import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { shardDir } from '../../../server/src/core/batch/jobSpec';
import { SlurmClient, type CommandResult } from '../../../server/src/core/batch/slurmClient';
import { planResume, readJob, specOf, submitSlurmJob, waitForSubmission, writeSlurmJob } from '../../../server/src/core/batch/slurmJob';
import { loadConfig } from '../../../server/src/core/config';
import type { MedsegConfig } from '../../../server/src/core/config/types';
import { resolveDataset } from '../../../server/src/core/dataset';
import type { DatasetCase } from '../../../server/src/core/dataset/types';
import { evaluateExperiment } from '../../../server/src/core/evaluate';
import { umapShardFeatures } from '../../../server/src/core/explain';
import { mergeShards } from '../../../server/src/core/evaluate/merge';
import { InputError } from '../../../server/src/core/findings';
import { ENGINE_BUILD } from '../../../server/src/core/version';

const fixture = join(__dirname, '..', '..', 'fixtures', 'evaluate', 'data');
let dir: string;
let config: MedsegConfig;
let cases: DatasetCase[];

/** A scheduler whose answers the test sets: `scontrol show job -o <id>` lines per id, and sbatch ids in turn. */
class FakeSlurm {
  calls: string[][] = [];
  jobs = new Map<string, string>();
  private nextId = 100;
  client = new SlurmClient(async (program, args): Promise<CommandResult> => {
    this.calls.push([program, ...args]);
    if (program === 'sbatch') return { code: 0, stdout: `${this.nextId++}\n`, stderr: '' };
    if (program === 'scancel') return { code: 0, stdout: '', stderr: '' };
    if (program === 'scontrol') {
      const lines = this.jobs.get(args[3]);
      return lines ? { code: 0, stdout: lines, stderr: '' } : { code: 1, stdout: '', stderr: 'slurm_load_jobs error: Invalid job id specified' };
    }
    return { code: 1, stdout: '', stderr: `${program}: not available` };
  });
}

const task = (array: string, t: number | string, state: string, reason = 'None', exit = '0:0') => `JobId=9${t} ArrayJobId=${array} ArrayTaskId=${t} JobName=medseg-x JobState=${state} Reason=${reason} ExitCode=${exit}`;
const job = (id: string, state: string, reason: string) => `JobId=${id} JobName=medseg-x-merge JobState=${state} Reason=${reason} Dependency=afterok:1_*(failed) ExitCode=0:0`;

function spec(work: string) {
  return specOf({ config, shards: 3, tasks: ['evaluate'], results: join(dir, `${work}-results`), work: join(dir, work), medseg: ['medseg'], resources: { cpus: 2 } });
}

async function runShard(s: ReturnType<typeof spec>, index: number) {
  await evaluateExperiment(config, { cases, labelColumns: [], findings: [] } as never, { outputDir: shardDir(s, index), shard: { index: index - 1, count: 3 }, report: false });
}

describe('medseg slurm: submission, resume and waiting (against a scheduler stand-in)', () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'medseg-slurmjob-'));
    cpSync(fixture, dir, { recursive: true });
    const parsed = await loadConfig(join(dir, 'fixture.medseg.yaml'));
    assert.ok(parsed.config);
    config = parsed.config;
    config.evaluation.split = 'all';
    cases = (await resolveDataset(config)).cases;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('submit: the array of every shard, then the merge after it; both recorded in job.json', async () => {
    const s = spec('job-a');
    await writeSlurmJob(s);
    const fake = new FakeSlurm();
    const sub = await submitSlurmJob(s, fake.client, [0, 1, 2]);
    assert.deepEqual(fake.calls, [
      ['sbatch', '--parsable', '--array=0-2', join(s.work, 'shards.sbatch')],
      ['sbatch', '--parsable', '--dependency=afterok:100', join(s.work, 'merge.sbatch')],
    ]);
    assert.deepEqual({ array: sub.array, merge: sub.merge, tasks: sub.tasks }, { array: '100', merge: '101', tasks: [0, 1, 2] });
    assert.deepEqual(readJob(s.work)?.submissions.map((x) => [x.array, x.merge, x.tasks]), [['100', '101', [0, 1, 2]]]);
  });

  test('resume after shard 2 failed: only task 1 again, the stale merge cancelled, a new merge after it', async () => {
    const s = spec('job-b');
    await writeSlurmJob(s);
    const fake = new FakeSlurm();
    await submitSlurmJob(s, fake.client, [0, 1, 2]);
    await runShard(s, 1);
    await runShard(s, 3);
    fake.jobs.set('100', [task('100', 0, 'COMPLETED'), task('100', 1, 'FAILED', 'NonZeroExitCode', '74:0'), task('100', 2, 'COMPLETED')].join('\n'));
    fake.jobs.set('101', job('101', 'PENDING', 'DependencyNeverSatisfied'));
    const plan = await planResume(s, config, cases, fake.client);
    assert.deepEqual(plan.statuses.map((x) => [x.index, x.done, x.reason]), [[1, true, undefined], [2, false, 'it has no results (it failed, was cancelled, or has not run)'], [3, true, undefined]]);
    assert.deepEqual(plan.rerun, [1]);
    assert.deepEqual(plan.staleMerges.map((m) => m.id), ['101']);
    assert.equal(plan.nothingToDo, undefined);
    fake.calls.length = 0;
    await submitSlurmJob(s, fake.client, plan.rerun);
    assert.deepEqual(fake.calls, [
      ['sbatch', '--parsable', '--array=1', join(s.work, 'shards.sbatch')],
      ['sbatch', '--parsable', '--dependency=afterok:102', join(s.work, 'merge.sbatch')],
    ]);
  });

  test('resume while shard 3 still runs: shard 2 again, and the merge waits for both (array task dependency)', async () => {
    const s = spec('job-c');
    await writeSlurmJob(s);
    const fake = new FakeSlurm();
    await submitSlurmJob(s, fake.client, [0, 1, 2]);
    await runShard(s, 1);
    fake.jobs.set('100', [task('100', 0, 'COMPLETED'), task('100', 1, 'FAILED', 'NonZeroExitCode', '1:0'), task('100', 2, 'RUNNING')].join('\n'));
    fake.jobs.set('101', job('101', 'PENDING', 'DependencyNeverSatisfied'));
    const plan = await planResume(s, config, cases, fake.client);
    assert.deepEqual(plan.rerun, [1]);
    assert.deepEqual([...plan.running.entries()].map(([t, st]) => [t, st.id]), [[2, '100_2']]);
    fake.calls.length = 0;
    await submitSlurmJob(s, fake.client, plan.rerun, ['100_2']);
    assert.deepEqual(fake.calls[1], ['sbatch', '--parsable', '--dependency=afterok:102:100_2', join(s.work, 'merge.sbatch')]);
  });

  test('nothing to resume: shards still running with their merge waiting, or every shard merged', async () => {
    const s = spec('job-d');
    await writeSlurmJob(s);
    const fake = new FakeSlurm();
    await submitSlurmJob(s, fake.client, [0, 1, 2]);
    fake.jobs.set('100', [task('100', '0-2', 'PENDING', 'Resources')].join('\n'));
    fake.jobs.set('101', job('101', 'PENDING', 'Dependency'));
    const waiting = await planResume(s, config, cases, fake.client);
    assert.deepEqual(waiting.rerun, []);
    assert.match(waiting.nothingToDo ?? '', /^3 shard\(s\) still queued or running; merge job 101 runs after them\.$/);

    for (const i of [1, 2, 3]) await runShard(s, i);
    await mergeShards([1, 2, 3].map((i) => shardDir(s, i)), s.results);
    fake.jobs.clear();
    const merged = await planResume(s, config, cases, fake.client);
    assert.equal(merged.nothingToDo, `Every shard is done and ${s.results} holds their merge.`);
  });

  test('--run evaluate,umap: a shard without its UMAP features, or with another shard\'s, is re-run; one with its own is done', async () => {
    const s = specOf({ config, shards: 3, tasks: ['evaluate', 'umap'], results: join(dir, 'job-u-results'), work: join(dir, 'job-u'), medseg: ['medseg'], resources: {} });
    await writeSlurmJob(s);
    for (const i of [1, 2, 3]) await runShard(s, i);
    const imagesOnly = { ...config, explain: { ...config.explain, umap: { ...config.explain.umap, features: 'images' } } };
    const dataset = { cases, labelColumns: [], findings: [] } as never;
    await umapShardFeatures(imagesOnly, dataset, { outputDir: shardDir(s, 1), shard: { index: 0, count: 3 } });
    // Shard 1's features in shard 3's folder.
    await umapShardFeatures(imagesOnly, dataset, { outputDir: shardDir(s, 3), shard: { index: 0, count: 3 } });
    const plan = await planResume(s, config, cases, new FakeSlurm().client);
    assert.deepEqual(plan.statuses.map((x) => x.reason), [undefined, 'it has no UMAP features', 'its UMAP features are not those of shard 3/3']);
    assert.deepEqual(plan.rerun, [1, 2]);
  });

  test('shards of another config text or build, or that skipped a model the others ran, are re-run', async () => {
    const s = spec('job-e');
    await writeSlurmJob(s);
    for (const i of [1, 2, 3]) await runShard(s, i);
    const edit = (i: number, change: (p: Record<string, unknown>) => void) => {
      const file = join(shardDir(s, i), 'shard', 'parts.json.gz');
      const p = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8'));
      change(p);
      writeFileSync(file, gzipSync(JSON.stringify(p)));
    };
    // Shard 3's node could not run model `a` (as when a GPU or a file is missing there); shards 1 and 2 did.
    edit(3, (p) => {
      delete (p.models as Record<string, unknown>).a;
      p.skipped = [{ name: 'a', code: 'model/missing-file', reason: 'a.onnx does not exist' }];
    });
    const skipped = await planResume(s, config, cases, new FakeSlurm().client);
    assert.deepEqual(skipped.statuses.map((x) => x.reason), [undefined, undefined, 'it skipped model `a` (a.onnx does not exist), which other shards evaluated']);
    assert.deepEqual(skipped.rerun, [2]);
    edit(1, (p) => (p.config_sha256 = 'other'));
    edit(2, (p) => (p.build = 'feedface'));
    const plan = await planResume(s, config, cases, new FakeSlurm().client);
    assert.deepEqual(plan.statuses.map((x) => x.reason), [
      'it ran from another text of the config',
      `it was made by medseg build feedface, not this build ${ENGINE_BUILD}`,
      // No other finished shard ran `a` now: the model may be one that no node can run, which a re-run would not change.
      undefined,
    ]);
    assert.deepEqual(plan.rerun, [0, 1]);
  });

  test('a merge that is running now stops a resume (batch/job-active)', async () => {
    const s = spec('job-f');
    await writeSlurmJob(s);
    const fake = new FakeSlurm();
    await submitSlurmJob(s, fake.client, [0, 1, 2]);
    fake.jobs.set('101', job('101', 'RUNNING', 'None'));
    await assert.rejects(planResume(s, config, cases, fake.client), (e) => e instanceof InputError && e.code === 'batch/job-active' && /merge job 101 of this run is running now/.test(e.message));
  });

  test('waiting: a failed shard ends the wait with the merge cancelled; a finished merge gives its exit status', async () => {
    const fake = new FakeSlurm();
    fake.jobs.set('7', [task('7', 0, 'COMPLETED'), task('7', 1, 'FAILED', 'NonZeroExitCode', '74:0'), task('7', 2, 'COMPLETED')].join('\n'));
    fake.jobs.set('8', job('8', 'PENDING', 'DependencyNeverSatisfied'));
    const failed = await waitForSubmission({ time: '', array: '7', merge: '8', tasks: [0, 1, 2] }, fake.client, { pollMs: 1 });
    assert.deepEqual(failed, { kind: 'shards-failed', failed: [{ index: 2, state: 'FAILED', exitCode: 74 }] });
    assert.deepEqual(fake.calls.at(-1), ['scancel', '8']);
    fake.jobs.set('8', 'JobId=8 JobName=m JobState=FAILED Reason=NonZeroExitCode ExitCode=3:0');
    fake.jobs.set('7', [task('7', 0, 'COMPLETED'), task('7', 1, 'COMPLETED'), task('7', 2, 'COMPLETED')].join('\n'));
    assert.deepEqual(await waitForSubmission({ time: '', array: '7', merge: '8', tasks: [0, 1, 2] }, fake.client, { pollMs: 1 }), { kind: 'merged', mergeExit: 3, mergeState: 'FAILED', failed: [] });
  });

  test('the job folder may not be the results folder nor hold it; bad resources are refused before anything is written', () => {
    assert.throws(() => specOf({ config, shards: 2, tasks: ['evaluate'], results: join(dir, 'r'), work: join(dir, 'r', 'jobs'), medseg: ['m'], resources: {} }), (e) => e instanceof InputError && e.code === 'batch/folders-overlap');
    assert.throws(() => specOf({ config, shards: 2, tasks: ['evaluate'], results: join(dir, 'r', 'x'), work: join(dir, 'r'), medseg: ['m'], resources: {} }), (e) => e instanceof InputError && e.code === 'batch/folders-overlap');
    assert.throws(() => specOf({ config, shards: 2, tasks: ['evaluate'], results: join(dir, 'r'), medseg: ['m'], resources: { time: '2h' } }), (e) => e instanceof InputError && e.code === 'batch/invalid-option' && /--time "2h"/.test(e.message));
    assert.equal(specOf({ config, shards: 2, tasks: ['evaluate'], results: join(dir, 'r'), medseg: ['m'], resources: {} }).work, join(dir, 'r.slurm'));
  });
});
