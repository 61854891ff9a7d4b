import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { BatchJobSpec } from '../../../server/src/core/batch/jobSpec';
import { jobNameOf, jobSchemaProblems, k8sManifests, k8sOptionProblems, podPath, type K8sOptions } from '../../../server/src/core/batch/k8sManifests';
import { InputError } from '../../../server/src/core/findings';

const dir = mkdtempSync(join(tmpdir(), 'medseg-k8s-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const fake = join(dir, 'fake-medseg.cjs');
writeFileSync(fake, "require('fs').appendFileSync(process.env.FAKE_LOG, JSON.stringify(process.argv.slice(2)) + '\\n'); process.exit(Number(process.env.FAKE_EXIT ?? 0));\n");

const options: K8sOptions = { image: 'registry.local/medseg:0.1.0', claim: 'study', mount: '/study', root: '/home/ana/study', retries: 2, cpu: '4', memory: '16Gi', gpus: 1, namespace: 'lab' };
const spec: BatchJobSpec = {
  version: 1,
  scheduler: 'k8s',
  config: '/home/ana/study/configs/isic.medseg.yaml',
  config_sha256: 'x',
  experiment: 'ISIC_2018 v2',
  shards: 16,
  tasks: ['evaluate'],
  results: '/home/ana/study/results/isic',
  work: '/home/ana/study/results/isic.k8s',
  medseg: [process.execPath, fake],
  resources: {},
  submissions: [],
};

/** Runs a pod's `sh -c` script with the completion index Kubernetes would set, recording what it runs. */
function runPod(script: string, index: number, exit = 0) {
  const log = join(dir, `log-${Math.random().toString(36).slice(2)}`);
  writeFileSync(log, '');
  const r = spawnSync('sh', ['-c', script], { encoding: 'utf8', env: { ...process.env, JOB_COMPLETION_INDEX: String(index), FAKE_LOG: log, FAKE_EXIT: String(exit) } });
  return { status: r.status, stderr: r.stderr, calls: readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) };
}

const command = (job: ReturnType<typeof k8sManifests>['shards']) => job.spec!.template.spec!.containers[0].command!;

describe('Kubernetes Jobs of a sharded run', () => {
  test('both Jobs fit the batch/v1 Job schema, and the schema check rejects a Job that does not', async () => {
    const m = k8sManifests(spec, options);
    assert.deepEqual(await jobSchemaProblems(m.shards), []);
    assert.deepEqual(await jobSchemaProblems(m.merge), []);
    const broken = structuredClone(m.shards) as unknown as { spec: { completions: unknown; template: { spec: { containers: unknown } } } };
    broken.spec.completions = '16';
    broken.spec.template.spec.containers = 'medseg';
    const problems = await jobSchemaProblems(broken as never);
    assert.ok(problems.includes('data/spec/completions must be integer'), problems.join('\n'));
    assert.ok(problems.includes('data/spec/template/spec/containers must be array'), problems.join('\n'));
  });

  test('an Indexed Job of N completions, retried per index, with the pod resources, the claim mounted', () => {
    const { shards, merge, shardsName, mergeName } = k8sManifests(spec, options);
    assert.equal(shardsName, 'medseg-isic-2018-v2-shards');
    assert.equal(mergeName, 'medseg-isic-2018-v2-merge');
    assert.deepEqual(shards.metadata, { name: shardsName, namespace: 'lab', labels: { 'app.kubernetes.io/name': 'medseg', 'app.kubernetes.io/instance': 'medseg-isic-2018-v2' } });
    assert.deepEqual({ ...shards.spec, template: undefined }, { completionMode: 'Indexed', completions: 16, parallelism: 16, backoffLimitPerIndex: 2, template: undefined });
    const pod = shards.spec!.template.spec!;
    assert.equal(pod.restartPolicy, 'Never');
    assert.deepEqual(pod.containers[0].resources, { requests: { cpu: '4', memory: '16Gi' }, limits: { cpu: '4', memory: '16Gi', 'nvidia.com/gpu': '1' } });
    assert.deepEqual(pod.volumes, [{ name: 'study', persistentVolumeClaim: { claimName: 'study' } }]);
    assert.deepEqual(pod.containers[0].volumeMounts, [{ name: 'study', mountPath: '/study' }]);
    // The merge: one pod, no retry, no GPU.
    assert.deepEqual({ ...merge.spec, template: undefined }, { completions: 1, backoffLimit: 0, template: undefined });
    assert.deepEqual(merge.spec!.template.spec!.containers[0].resources, { requests: { cpu: '1', memory: '16Gi' }, limits: { cpu: '1', memory: '16Gi' } });
  });

  test('the pod with completion index K runs shard K+1 with the paths the pods see (run by sh)', () => {
    const { shards, merge } = k8sManifests(spec, options);
    const [sh, flag, script] = command(shards);
    assert.deepEqual([sh, flag], ['sh', '-c']);
    const r = runPod(script, 4);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.calls, [['evaluate', '/study/configs/isic.medseg.yaml', '--shard', '5/16', '--output', '/study/results/isic.k8s/shards/5']]);
    const failed = runPod(script, 0, 70);
    assert.equal(failed.status, 70);
    assert.match(failed.stderr, /medseg shard 1\/16: evaluate ended with exit status 70; the shard is incomplete \(medseg k8s --resume re-runs it\)/);
    const m = runPod(command(merge)[2], 0, 3);
    assert.equal(m.status, 3, 'the merge pod exits with the merge\'s status');
    assert.deepEqual(m.calls, [['merge', ...Array.from({ length: 16 }, (_, i) => `/study/results/isic.k8s/shards/${i + 1}`), '--output', '/study/results/isic']]);
  });

  test('--run evaluate,umap: the pod evaluates then extracts its UMAP features; the merge pod merges (and embeds); both Jobs fit the schema', async () => {
    const withUmap: BatchJobSpec = { ...spec, tasks: ['evaluate', 'umap'] };
    const { shards, merge } = k8sManifests(withUmap, options);
    assert.deepEqual(await jobSchemaProblems(shards), []);
    assert.deepEqual(await jobSchemaProblems(merge), []);
    const r = runPod(command(shards)[2], 6);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.calls, [
      ['evaluate', '/study/configs/isic.medseg.yaml', '--shard', '7/16', '--output', '/study/results/isic.k8s/shards/7'],
      ['umap', '/study/configs/isic.medseg.yaml', '--shard', '7/16', '--output', '/study/results/isic.k8s/shards/7'],
    ]);
    const failed = runPod(command(shards)[2], 6, 74);
    assert.equal(failed.calls.length, 1, 'no features after a failed evaluation');
    assert.deepEqual(runPod(command(merge)[2], 0).calls, [['merge', ...Array.from({ length: 16 }, (_, i) => `/study/results/isic.k8s/shards/${i + 1}`), '--output', '/study/results/isic']]);
  });

  test('a resume Job runs only the listed shards: completion index K runs the K-th of them', () => {
    const { shards, shardsName, mergeName } = k8sManifests(spec, options, [3, 11, 12], 1);
    assert.equal(shardsName, 'medseg-isic-2018-v2-shards-1');
    assert.equal(mergeName, 'medseg-isic-2018-v2-merge-1');
    assert.equal(shards.spec!.completions, 3);
    assert.deepEqual([0, 1, 2].map((k) => runPod(command(shards)[2], k).calls[0][3]), ['3/16', '11/16', '12/16']);
  });

  test('paths off the volume, names and quantities Kubernetes refuses', () => {
    assert.equal(podPath('/home/ana/study/a b/c.yaml', options), '/study/a b/c.yaml');
    assert.throws(() => podPath('/data/elsewhere/x.yaml', options), (e) => e instanceof InputError && e.code === 'batch/outside-volume' && /not inside \/home\/ana\/study, the folder the volume claim holds/.test(e.message));
    assert.equal(jobNameOf('Kidney_CT (fold 0)'), 'medseg-kidney-ct-fold-0');
    assert.ok(jobNameOf('x'.repeat(100)).length <= 40);
    assert.deepEqual(k8sOptionProblems({ ...options, cpu: '500m', memory: '4000M' }), []);
    assert.deepEqual(k8sOptionProblems({ ...options, cpu: '4 cores', memory: '16GB', claim: 'Study', gpus: -1, mount: 'study' }), [
      '--claim "Study" is not a PersistentVolumeClaim name (lower-case letters, digits and -)',
      '--mount must be an absolute path in the pods (got "study")',
      '--cpus "4 cores" is not a Kubernetes quantity (e.g. 4 or 500m)',
      '--mem "16GB" is not a Kubernetes quantity (e.g. 16Gi or 4000M)',
      '--gpus must be a whole number ≥ 0 (got -1)',
    ]);
  });
});
