import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { runMedseg } from './runCli';

const fixture = join(__dirname, '..', 'fixtures', 'evaluate', 'data');
let dir: string;

describe('medseg k8s', () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'medseg-cli-k8s-'));
    cpSync(fixture, dir, { recursive: true });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('writes the Indexed Job, the merge Job and run.sh; a resume writes a Job of the shards not done', () => {
    const r = runMedseg(dir, 'k8s', 'fixture.medseg.yaml', '--shards', '2', '--image', 'registry.local/medseg:0.1.0', '--claim', 'study', '--output', 'out', '--split', 'all', '--mem', '2Gi');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /both Jobs fit the batch\/v1 Job schema/);
    assert.match(r.stdout, /The pods mount claim study at \/study/);
    const shards = parse(readFileSync(join(dir, 'out.k8s', 'shards.yaml'), 'utf8'));
    assert.equal(shards.kind, 'Job');
    assert.equal(shards.spec.completionMode, 'Indexed');
    assert.equal(shards.spec.completions, 2);
    assert.match(shards.spec.template.spec.containers[0].command[2], /step evaluate medseg evaluate \/study\/fixture\.medseg\.yaml --shard "\$I"\/2 --output \/study\/out\.k8s\/shards\/"\$I" --split all/);
    const merge = parse(readFileSync(join(dir, 'out.k8s', 'merge.yaml'), 'utf8'));
    assert.match(merge.spec.template.spec.containers[0].command[2], /exec medseg merge \/study\/out\.k8s\/shards\/1 \/study\/out\.k8s\/shards\/2 --output \/study\/out$/m);
    assert.match(readFileSync(join(dir, 'out.k8s', 'run.sh'), 'utf8'), /kubectl apply -f shards\.yaml\nif ! wait_job medseg-fixture-shards; then/);

    // Shard 1 ran (here, as a pod would); the resume asks for shard 2 alone.
    assert.equal(runMedseg(dir, 'evaluate', 'fixture.medseg.yaml', '--split', 'all', '--shard', '1/2', '--output', join('out.k8s', 'shards', '1')).code, 0);
    const resumed = runMedseg(dir, 'k8s', 'fixture.medseg.yaml', '--resume', '--output', 'out');
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /shard 1\/2: done\n {2}shard 2\/2: to re-run: it has no results/);
    const again = parse(readFileSync(join(dir, 'out.k8s', 'shards.yaml'), 'utf8'));
    assert.equal(again.metadata.name, 'medseg-fixture-shards-1');
    assert.equal(again.spec.completions, 1);
    assert.match(again.spec.template.spec.containers[0].command[2], /^set -- 2$/m);
  });

  test('a results folder off the claim is refused (exit 1); missing flags are usage (exit 2)', () => {
    const off = runMedseg(dir, 'k8s', 'fixture.medseg.yaml', '--shards', '2', '--image', 'img', '--claim', 'study', '--output', join(tmpdir(), 'elsewhere-results'));
    assert.equal(off.code, 1);
    assert.match(off.stderr, /is not inside .*the folder the volume claim holds \(--root\).*\[batch\/outside-volume\]/);
    assert.equal(runMedseg(dir, 'k8s', 'fixture.medseg.yaml', '--shards', '2', '--claim', 'study').code, 2);
    assert.equal(runMedseg(dir, 'k8s', 'fixture.medseg.yaml', '--shards', '2', '--image', 'img', '--claim', 'Study').code, 2);
    const none = runMedseg(dir, 'k8s', 'fixture.medseg.yaml', '--resume', '--output', 'none');
    assert.equal(none.code, 1);
    assert.match(none.stderr, /\[batch\/no-job\]/);
  });
});
