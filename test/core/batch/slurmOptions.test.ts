import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resourceProblems } from '../../../server/src/core/batch/slurmOptions';

// The accepted forms are sbatch(1)'s: --time "minutes", "minutes:seconds", "hours:minutes:seconds",
// "days-hours", "days-hours:minutes" and "days-hours:minutes:seconds"; --mem with K, M, G or T.
test('Slurm time limits in each of sbatch\'s forms pass; others are refused with the forms listed', () => {
  for (const time of ['60', '1:30', '2:00:00', '1-0', '1-12:30', '1-12:30:15', 'UNLIMITED', 'infinite']) assert.deepEqual(resourceProblems({ time }), [], time);
  for (const time of ['1h', '2:00:00:00', '-1', '1-', '', '1:2:3:4']) {
    const [p] = resourceProblems({ time });
    assert.match(p, /^--time ".*" is not minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS/, time);
  }
});

test('memory, GRES, names and counts', () => {
  assert.deepEqual(resourceProblems({ mem: '16G', mergeMem: '4000', gres: 'gpu:tesla:1,mps:100', partition: 'gpu,cpu', account: 'lab-a', qos: 'long', constraint: '[rack1|rack2]&intel', cpus: 4, maxParallel: 2 }), []);
  assert.deepEqual(resourceProblems({ mem: '16GB' }), ['--mem "16GB" is not megabytes, or a number with K, M, G or T (e.g. `16G`)']);
  assert.deepEqual(resourceProblems({ mergeMem: '1.5G' }), ['--merge-mem "1.5G" is not megabytes, or a number with K, M, G or T (e.g. `16G`)']);
  assert.match(resourceProblems({ gres: 'gpu 1' })[0], /^--gres "gpu 1" is not NAME\[:TYPE\]\[:COUNT\]/);
  assert.deepEqual(resourceProblems({ cpus: 0, maxParallel: 1.5 }), ['--cpus must be a whole number ≥ 1 (got 0)', '--max-parallel must be a whole number ≥ 1 (got 1.5)']);
});

test('a value that would start an #SBATCH line of its own is refused', () => {
  assert.equal(resourceProblems({ partition: 'gpu\n#SBATCH --exclusive' }).length, 1);
  assert.equal(resourceProblems({ gres: 'gpu:1\n#SBATCH --exclusive' }).length, 1);
  assert.deepEqual(resourceProblems({ sbatchArgs: ['--mail-type=END', '--exclusive\n#SBATCH --x', 'nodash'] }), [
    '--sbatch-arg "--exclusive\\n#SBATCH --x" is not one sbatch option (it must start with - and be on one line, e.g. --mail-type=END)',
    '--sbatch-arg "nodash" is not one sbatch option (it must start with - and be on one line, e.g. --mail-type=END)',
  ]);
});
