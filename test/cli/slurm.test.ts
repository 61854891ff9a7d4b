import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cliEntry, tsxLoader } from './runCli';

const fixture = join(__dirname, '..', 'fixtures', 'evaluate', 'data');
let dir: string;

/** medseg from the sources with a PATH that holds node alone (no Slurm, wherever Slurm is installed). */
function medseg(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', tsxLoader, cliEntry, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, PATH: join(dir, 'bin') } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('medseg slurm (no cluster needed)', () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'medseg-cli-slurm-'));
    cpSync(fixture, dir, { recursive: true });
    mkdirSync(join(dir, 'bin'));
    symlinkSync(process.execPath, join(dir, 'bin', 'node'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('writes the array and merge scripts and job.json, and says how to submit them', () => {
    const r = medseg('slurm', 'fixture.medseg.yaml', '--shards', '2', '--output', 'out', '--split', 'all', '--time', '1:00:00');
    assert.equal(r.code, 0, r.stderr);
    // 12 fixture images, all with a mask; the shards' sizes follow from the ids' hashes.
    assert.match(r.stdout, /split all: 12 images with a reference, \d+–\d+ per shard; each shard runs evaluate\./);
    assert.match(r.stdout, /medseg slurm fixture\.medseg\.yaml --shards 2 --output out --submit/);
    const job = JSON.parse(readFileSync(join(dir, 'out.slurm', 'job.json'), 'utf8'));
    assert.equal(job.shards, 2);
    assert.equal(job.results, join(dir, 'out'));
    assert.deepEqual(job.submissions, []);
    assert.equal(job.medseg[0], process.execPath);
    assert.equal(job.medseg.at(-1), cliEntry);
    const script = readFileSync(join(dir, 'out.slurm', 'shards.sbatch'), 'utf8');
    assert.match(script, /^#SBATCH --time=1:00:00$/m);
    assert.match(script, /evaluate .*fixture\.medseg\.yaml --shard "\$I"\/2 --output .*out\.slurm\/shards\/"\$I" --split all$/m);
  });

  test('--run evaluate,umap: each shard extracts its UMAP features after its evaluation, the merge embeds them; --help says so', () => {
    const r = medseg('slurm', 'fixture.medseg.yaml', '--shards', '3', '--output', 'mapped', '--run', 'evaluate,umap', '--merge-time', '2:00:00', '--merge-mem', '8G');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /each shard runs evaluate then umap\./);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'mapped.slurm', 'job.json'), 'utf8')).tasks, ['evaluate', 'umap']);
    const script = readFileSync(join(dir, 'mapped.slurm', 'shards.sbatch'), 'utf8');
    const steps = script.split('\n').filter((l) => l.startsWith('step '));
    assert.equal(steps.length, 2);
    assert.match(steps[0], /^step evaluate .* evaluate .*fixture\.medseg\.yaml --shard "\$I"\/3 --output .*mapped\.slurm\/shards\/"\$I"$/);
    assert.match(steps[1], /^step umap .* umap .*fixture\.medseg\.yaml --shard "\$I"\/3 --output .*mapped\.slurm\/shards\/"\$I"$/);
    const merge = readFileSync(join(dir, 'mapped.slurm', 'merge.sbatch'), 'utf8');
    assert.match(merge, /^#SBATCH --time=2:00:00$/m);
    assert.match(merge, /^#SBATCH --mem=8G$/m);
    assert.match(merge, /^exec .* merge .*mapped\.slurm\/shards\/1 .*mapped\.slurm\/shards\/3 --output .*\/mapped$/m);
    assert.equal(medseg('slurm', 'fixture.medseg.yaml', '--shards', '3', '--run', 'umap').code, 2, 'umap alone: the merge needs the evaluation');
    const badShard = medseg('umap', 'fixture.medseg.yaml', '--shard', '4/3');
    assert.equal(badShard.code, 2);
    assert.match(badShard.stderr, /--shard must be I\/N with 1 ≤ I ≤ N \(got 4\/3\)/);
    const help = medseg('slurm', '--help').stdout;
    assert.match(help, /--run evaluate\[,explain\]\[,stress\]\[,umap\]/);
    assert.match(help, /umap extracts the UMAP features\s+of its images/);
    const umapHelp = medseg('umap', '--help').stdout;
    assert.match(umapHelp, /--shard I\/N\s+extract the features of the I-th of N shards/);
    assert.match(umapHelp, /`medseg merge` joins them/);
  });

  test('--submit where sbatch is not on PATH: batch/no-slurm, the scripts written all the same', () => {
    const r = medseg('slurm', 'fixture.medseg.yaml', '--shards', '2', '--output', 'sub', '--submit');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /`sbatch` is not on PATH: .*login node.*\[batch\/no-slurm\]/);
    assert.ok(existsSync(join(dir, 'sub.slurm', 'shards.sbatch')));
  });

  test('usage errors (exit 2) and a resume with no job (exit 1)', () => {
    for (const args of [[], ['--shards', '0'], ['--shards', '2', '--time', '2h'], ['--shards', '2', '--run', 'explain'], ['--shards', '2', '--method', 'gradcam'], ['--shards', '2', '--wait'], ['--shards', '2', '--gres', 'gpu 1']]) {
      const r = medseg('slurm', 'fixture.medseg.yaml', ...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    }
    assert.match(medseg('slurm', 'fixture.medseg.yaml', '--shards', '2', '--time', '2h').stderr, /--time "2h" is not minutes, MM:SS/);
    assert.match(medseg('slurm', 'fixture.medseg.yaml', '--resume', '--split', 'val').stderr, /--split: a resume re-runs the job as it was written/);
    const r = medseg('slurm', 'fixture.medseg.yaml', '--resume', '--output', 'nothing-here');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /holds no job written by `medseg slurm` \(job\.json\).*\[batch\/no-job\]/);
  });
});
