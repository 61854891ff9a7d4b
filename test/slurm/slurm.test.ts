/**
 * `medseg slurm` against a running Slurm (a one-node cluster started here, see cluster.ts): the
 * array job of 3 shards and its dependent merge give exactly what one `medseg evaluate` writes; a
 * shard that fails keeps the merge from running, and `--resume` re-runs that shard alone.
 * Run with `npm run test:slurm` (builds dist/ first); `npm test` never starts daemons.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createDemoData } from '../../server/src/demo';
import { writeDemoModels } from '../../server/src/demo/models';
import { ensureSlurm, frozenBuild, startCluster, type SlurmCluster } from './cluster';

const root = join(__dirname, '..', '..');
let cli: string;
const unavailable = ensureSlurm((line) => process.stderr.write(`# ${line}\n`));
if (unavailable) process.stderr.write(`# SKIPPED: the Slurm tests need slurmctld, slurmd, munge and slurm-client: ${unavailable}\n`);

let cluster: SlurmCluster;
let work: string;
let config: string;

function medseg(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: join(work, 'demo', 'dermoscopy'), env: cluster.env, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `scontrol show job -o` of one job (or the tasks of an array), as Key=Value maps. */
function jobs(id: string): Record<string, string>[] {
  const r = cluster.run('scontrol', ['show', 'job', '-o', id]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => Object.fromEntries([...line.matchAll(/(\w+)=(\S*)/g)].map((m) => [m[1], m[2]])));
}

function files(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else out.push(relative(dir, join(d, e.name)));
    }
  };
  walk(dir);
  return out.sort();
}

/** report.html's embedded data and page, less what names the run rather than the results (time, command, date). */
function reportContent(file: string): { page: string; data: Record<string, unknown> } {
  const html = readFileSync(file, 'utf8');
  const m = /(<script id="medseg-data" type="application\/json">)(.*?)(<\/script>)/s.exec(html);
  assert.ok(m, `${file} embeds its data`);
  const data = JSON.parse(m[2]) as Record<string, unknown> & { provenance: { label: string }[] };
  delete data.time;
  data.provenance = data.provenance.filter((p) => p.label !== 'command' && p.label !== 'date');
  return { page: html.replace(m[0], ''), data };
}

/** The merged folder holds the same files as the single run's, byte for byte except the time and command. */
function assertSameResults(single: string, merged: string): void {
  assert.deepEqual(files(merged), files(single));
  let compared = 0;
  for (const f of files(single)) {
    const a = join(single, f);
    const b = join(merged, f);
    if (f === 'summary.json') {
      const strip = (p: string) => {
        const s = JSON.parse(readFileSync(p, 'utf8'));
        delete s.time;
        delete s.merged_from;
        return s;
      };
      assert.deepEqual(strip(b), strip(a), 'summary.json equal but for time and merged_from');
    } else if (f === 'report.html') {
      const [x, y] = [reportContent(a), reportContent(b)];
      assert.deepEqual(y.data, x.data, 'report data equal but for time and command');
      assert.equal(y.page, x.page);
    } else {
      assert.ok(readFileSync(a).equals(readFileSync(b)), `${f} byte-identical`);
      compared++;
    }
  }
  // per_image.csv, file_names.csv, fusion_changes.csv and 18 test images × (4 models × 3 + 5 fusions × 2) maps.
  assert.equal(compared, 3 + 18 * (4 * 3 + 5 * 2));
}

/**
 * The shards infer afresh, as on machines that share no cache; then their inference counts add up
 * to the single run's too (each image of the split and of val once per model).
 */
function clearPredictionCache(): void {
  rmSync(join(work, 'demo', 'dermoscopy', '.medseg-cache', 'predictions'), { recursive: true, force: true });
}

async function waitFor<T>(what: string, probe: () => T | undefined, seconds = 120): Promise<T> {
  for (let k = 0; k < seconds * 5; k++) {
    const v = probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('medseg slurm on a running one-node Slurm cluster', { skip: unavailable ? `Slurm unavailable: ${unavailable}` : false }, () => {
  before(async () => {
    cli = frozenBuild(root);
    work = mkdtempSync(join(tmpdir(), 'medseg-slurm-work-'));
    await createDemoData(join(work, 'demo'));
    await writeDemoModels(join(work, 'demo', 'dermoscopy'), 'dermoscopy');
    config = join(work, 'demo', 'dermoscopy', 'dermoscopy.medseg.yaml');
    cluster = await startCluster();
    const single = medseg('evaluate', config, '--output', join(work, 'single'));
    assert.equal(single.code, 0, single.stderr);
  });
  after(async () => {
    await cluster?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
    if (cli) rmSync(dirname(dirname(cli)), { recursive: true, force: true });
  });

  test('3 shards as an array job and a merge that waits for them: the merged results are those of one evaluate', () => {
    clearPredictionCache();
    const r = medseg('slurm', config, '--shards', '3', '--output', join(work, 'merged'), '--submit', '--wait', '--cpus', '1');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const array = /Submitted array job (\d+): all 3 shards/.exec(r.stdout)?.[1];
    const merge = /Submitted merge job (\d+), which runs once array (\d+) succeeded/.exec(r.stdout);
    assert.ok(array && merge && merge[2] === array, r.stdout);
    assert.match(r.stdout, new RegExp(`Merged results will be in ${join(work, 'merged')}/`));
    assert.match(r.stdout, new RegExp(`Merge job ${merge[1]} ended with exit status 0 \\(completed\\)`));
    // Slurm ran three array tasks and then the merge.
    const tasks = jobs(array);
    assert.deepEqual(tasks.map((t) => t.ArrayTaskId).sort(), ['0', '1', '2']);
    assert.ok(tasks.every((t) => t.JobState === 'COMPLETED' && t.ExitCode === '0:0'), JSON.stringify(tasks.map((t) => [t.ArrayTaskId, t.JobState])));
    const [m] = jobs(merge[1]);
    assert.equal(m.JobState, 'COMPLETED');
    assert.ok(Date.parse(m.StartTime) >= Math.max(...tasks.map((t) => Date.parse(t.EndTime))), 'the merge started after the last shard ended');
    for (let i = 1; i <= 3; i++) assert.match(readFileSync(join(work, 'merged.slurm', 'logs', `shard-${array}_${i - 1}.out`), 'utf8'), new RegExp(`medseg shard ${i}/3 on `));
    assertSameResults(join(work, 'single'), join(work, 'merged'));
  });

  test('--run evaluate,explain: each shard also explains its images, and the merge joins them as one explain --images all', () => {
    const single = join(work, 'single-explained');
    clearPredictionCache();
    for (const args of [['evaluate', config], ['explain', config, '--images', 'all']]) {
      const r = medseg(...args, '--output', single);
      assert.equal(r.code, 0, r.stderr);
    }
    const out = join(work, 'explained');
    const r = medseg('slurm', config, '--shards', '3', '--output', out, '--run', 'evaluate,explain', '--submit', '--wait');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /each shard runs evaluate then explain/);
    const method = JSON.parse(readFileSync(join(single, 'explain.json'), 'utf8')).method as string;
    const mergeLog = readFileSync(join(out + '.slurm', 'logs', readdirSync(join(out + '.slurm', 'logs')).find((f) => f.startsWith('merge-'))!), 'utf8');
    assert.match(mergeLog, new RegExp(`Merged 3 shards into .*, with their ${method} explanations`));
    assert.ok(existsSync(join(out, 'report.html')), mergeLog);
    const withoutSeconds = (file: string) => {
      const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
      const at = lines[0].split(',').indexOf('seconds');
      return lines.map((l) => l.split(',').filter((_, i) => i !== at).join(','));
    };
    for (const model of ['tii-sharp', 'tii-over', 'lmi-under', 'lmi-smallmiss']) {
      const rows = withoutSeconds(join(single, 'explain', method, `${model}.csv`));
      assert.equal(rows.length, 1 + 18, `${model}: a row per test image`);
      assert.deepEqual(withoutSeconds(join(out, 'explain', method, `${model}.csv`)), rows, `${model} rows`);
      for (const f of readdirSync(join(single, 'heatmaps', method, model))) assert.ok(readFileSync(join(out, 'heatmaps', method, model, f)).equals(readFileSync(join(single, 'heatmaps', method, model, f))), `${model}/${f}`);
    }
    const timeless = (file: string) => {
      const report = JSON.parse(readFileSync(file, 'utf8'));
      delete report.time;
      for (const m of Object.values(report.models) as Record<string, unknown>[]) delete m.seconds_per_image;
      return report;
    };
    assert.deepEqual(timeless(join(out, 'explain.json')), timeless(join(single, 'explain.json')));
    assert.ok(readFileSync(join(out, 'per_image.csv')).equals(readFileSync(join(single, 'per_image.csv'))));
    assert.match(readFileSync(join(out, 'report.html'), 'utf8'), /"explain":/, 'report.html carries the explanations');
  });

  test('--run evaluate,umap: each shard extracts its UMAP features, the merge job embeds them: umap.json as one evaluate + umap writes it', () => {
    const single = join(work, 'single-mapped');
    for (const args of [['evaluate', config], ['umap', config]]) {
      const r = medseg(...args, '--output', single);
      assert.equal(r.code, 0, r.stderr);
    }
    const out = join(work, 'mapped');
    const r = medseg('slurm', config, '--shards', '3', '--output', out, '--run', 'evaluate,umap', '--submit', '--wait');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /each shard runs evaluate then umap/);
    assert.match(r.stdout, /Merged results will be in .*\(report\.html, per_image\.csv, summary\.json, umap\.json\)/);
    for (let i = 1; i <= 3; i++) assert.ok(existsSync(join(out + '.slurm', 'shards', String(i), 'shard', 'umap_features.bin')), `shard ${i}'s features`);
    const mergeLog = readFileSync(join(out + '.slurm', 'logs', readdirSync(join(out + '.slurm', 'logs')).find((f) => f.startsWith('merge-'))!), 'utf8');
    const one = readFileSync(join(single, 'umap.json'), 'utf8');
    const maps = (JSON.parse(one) as { maps: { name: string }[] }).maps.map((m) => m.name);
    assert.ok(maps.length >= 2, `image and layer maps: ${maps.join(', ')}`);
    const escaped = maps.join(', ').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    assert.match(mergeLog, new RegExp(`UMAP maps of their features \\(umap\\.json: ${escaped}\\)`));
    const timeless = (text: string) => text.replace(/"time":"[^"]*"/, '').replace(/"seconds":\{[^}]*\}/g, '');
    assert.equal(timeless(readFileSync(join(out, 'umap.json'), 'utf8')), timeless(one), 'umap.json byte-identical but for time and seconds');
    // A resume finds every shard's features done and the merge newer than them: nothing to do.
    const again = medseg('slurm', config, '--resume', '--output', out);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /holds their merge/);
  });

  test('a failing shard: the merge never runs; --resume re-runs that shard alone, then the merge', async () => {
    const out = join(work, 'resumed');
    // A file where shard 2 writes its results: its evaluate exits 74 (io/unwritable), like a full or read-only disk.
    mkdirSync(join(out + '.slurm', 'shards'), { recursive: true });
    writeFileSync(join(out + '.slurm', 'shards', '2'), 'in the way\n');
    clearPredictionCache();
    const r = medseg('slurm', config, '--shards', '3', '--output', out, '--submit');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const array = /Submitted array job (\d+)/.exec(r.stdout)![1];
    const merge = /Submitted merge job (\d+)/.exec(r.stdout)![1];
    const tasks = await waitFor('the array to end', () => {
      const t = jobs(array);
      return t.length === 3 && t.every((x) => ['COMPLETED', 'FAILED'].includes(x.JobState)) ? t : undefined;
    });
    assert.deepEqual(tasks.map((t) => [t.ArrayTaskId, t.JobState, t.ExitCode]).sort(), [['0', 'COMPLETED', '0:0'], ['1', 'FAILED', '74:0'], ['2', 'COMPLETED', '0:0']]);
    const pending = await waitFor('Slurm to give up on the merge', () => {
      const [m] = jobs(merge);
      return m.Reason === 'DependencyNeverSatisfied' ? m : undefined;
    });
    assert.equal(pending.JobState, 'PENDING');
    assert.match(readFileSync(join(out + '.slurm', 'logs', `shard-${array}_1.out`), 'utf8'), /cannot be written: a file is in the place of a folder.*\n.*medseg shard 2\/3: evaluate ended with exit status 74/);
    assert.ok(!existsSync(join(out + '.slurm', 'logs', `merge-${merge}.out`)), 'the merge job never started');
    assert.ok(!existsSync(out), 'no merged results');

    const partsOf = (i: number) => join(out + '.slurm', 'shards', String(i), 'shard', 'parts.json.gz');
    const before1 = statSync(partsOf(1));
    const before3 = statSync(partsOf(3));
    rmSync(join(out + '.slurm', 'shards', '2'));
    const resumed = medseg('slurm', config, '--resume', '--output', out, '--wait');
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
    assert.match(resumed.stdout, /shard 1\/3: done\n {2}shard 2\/3: to re-run: it has no results[^\n]*\n {2}shard 3\/3: done/);
    assert.match(resumed.stdout, new RegExp(`Cancelled merge job ${merge}: it waited for shards that failed`));
    const rerun = /Submitted array job (\d+): shard 2 of 3/.exec(resumed.stdout)?.[1];
    assert.ok(rerun, resumed.stdout);
    assert.deepEqual(jobs(rerun).map((t) => [t.ArrayTaskId, t.JobState]), [['1', 'COMPLETED']], 'only shard 2 (task 1) ran again');
    assert.equal(jobs(merge)[0].JobState, 'CANCELLED');
    // Shards 1 and 3 were not touched; shard 2 now has results.
    for (const [i, st] of [[1, before1], [3, before3]] as const) {
      const now = statSync(partsOf(i));
      assert.equal(now.ino, st.ino);
      assert.equal(now.mtimeMs, st.mtimeMs);
    }
    assert.ok(existsSync(partsOf(2)));
    assertSameResults(join(work, 'single'), out);
    const again = medseg('slurm', config, '--resume', '--output', out);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /Every shard is done and .* holds their merge\./);
  });
});
