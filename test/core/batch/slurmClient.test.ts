import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { isFinished, parseSacct, parseScontrol, parseTaskIds, SlurmClient, type CommandResult } from '../../../server/src/core/batch/slurmClient';
import { InputError } from '../../../server/src/core/findings';

const fixtures = join(__dirname, '..', '..', 'fixtures', 'slurm');

test('scontrol -o of an array: the running task alone, the pending tasks together on one line', () => {
  const states = parseScontrol(readFileSync(join(fixtures, 'scontrol-array-pending-running.txt'), 'utf8'));
  assert.deepEqual(states, [
    { id: '1_1-4%1', tasks: [1, 2, 3, 4], state: 'PENDING', reason: 'JobArrayTaskLimit', exitCode: 0 },
    { id: '1_0', tasks: [0], state: 'RUNNING', reason: 'None', exitCode: 0 },
  ]);
  assert.deepEqual(parseScontrol(readFileSync(join(fixtures, 'scontrol-merge-dependency.txt'), 'utf8')), [{ id: '2', state: 'PENDING', reason: 'Dependency', exitCode: 0 }]);
});

test('task id lists, sacct lines and finished states', () => {
  assert.deepEqual(parseTaskIds('3'), [3]);
  assert.deepEqual(parseTaskIds('[3-5%2]'), [3, 4, 5]);
  assert.deepEqual(parseTaskIds('1,4-5,10-14:2'), [1, 4, 5, 10, 12, 14]);
  assert.deepEqual(parseSacct('7_0|COMPLETED|0:0\n7_1|FAILED|74:0\n8|CANCELLED by 0|0:0\n'), [
    { id: '7_0', tasks: [0], state: 'COMPLETED', exitCode: 0 },
    { id: '7_1', tasks: [1], state: 'FAILED', exitCode: 74 },
    { id: '8', state: 'CANCELLED', exitCode: 0 },
  ]);
  for (const s of ['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'OUT_OF_MEMORY', 'NODE_FAIL']) assert.ok(isFinished(s), s);
  for (const s of ['PENDING', 'RUNNING', 'COMPLETING', 'CONFIGURING', 'SUSPENDED', 'REQUEUED']) assert.ok(!isFinished(s), s);
});

function client(answers: Record<string, CommandResult>, calls: string[][] = []): SlurmClient {
  return new SlurmClient(async (program, args) => {
    calls.push([program, ...args]);
    return answers[program] ?? { code: 1, stdout: '', stderr: `${program}: no answer` };
  });
}

test('sbatch: the id of `--parsable` (with a cluster name after `;`), or its refusal in its own words', async () => {
  const calls: string[][] = [];
  assert.equal(await client({ sbatch: { code: 0, stdout: '4711;tinygpu\n', stderr: '' } }, calls).submit('/w/merge.sbatch', ['--dependency=afterok:4710']), '4711');
  assert.deepEqual(calls, [['sbatch', '--parsable', '--dependency=afterok:4710', '/w/merge.sbatch']]);
  await assert.rejects(client({ sbatch: { code: 1, stdout: '', stderr: 'sbatch: error: invalid partition specified: gpu\nsbatch: error: Batch job submission failed: Invalid partition name specified\n' } }).submit('/w/shards.sbatch', []), (e) => {
    assert.ok(e instanceof InputError);
    assert.equal(e.code, 'batch/submit-failed');
    assert.match(e.message, /`sbatch` refused to submit \/w\/shards.sbatch \(exit status 1\): sbatch: error: invalid partition specified: gpu sbatch: error: Batch job submission failed/);
    return true;
  });
  const enoent = Object.assign(new Error('spawn sbatch ENOENT'), { code: 'ENOENT' });
  await assert.rejects(client({ sbatch: { code: null, stdout: '', stderr: '', spawnError: enoent } }).submit('/w/shards.sbatch', []), (e) => {
    assert.ok(e instanceof InputError);
    assert.equal(e.code, 'batch/no-slurm');
    assert.match(e.message, /`sbatch` is not on PATH: .* Run medseg on a login node of the cluster/);
    return true;
  });
});

test('jobs slurmctld has forgotten are asked of sacct', async () => {
  const calls: string[][] = [];
  const c = client(
    {
      scontrol: { code: 1, stdout: '', stderr: 'slurm_load_jobs error: Invalid job id specified\n' },
      sacct: { code: 0, stdout: '7_0|COMPLETED|0:0\n7_1|FAILED|74:0\n', stderr: '' },
    },
    calls,
  );
  assert.deepEqual(await c.states(['7']), [
    { id: '7_0', tasks: [0], state: 'COMPLETED', exitCode: 0 },
    { id: '7_1', tasks: [1], state: 'FAILED', exitCode: 74 },
  ]);
  assert.deepEqual(calls, [['scontrol', 'show', 'job', '-o', '7'], ['sacct', '-n', '-P', '-X', '-o', 'JobID,State,ExitCode', '-j', '7']]);
});
