import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { assertInputsUnchanged, makeWorkspace, predictionsConfig, runMedseg, snapshotFiles, type Workspace } from './workspace';

describe('robustness harness: a clean workspace evaluates with exit 0 and leaves its inputs as they were', () => {
  let ws: Workspace;
  before(async () => {
    ws = await makeWorkspace({ predictionModels: [{ name: 'exact', shift: 0 }, { name: 'shifted', shift: 2 }], config: predictionsConfig(['exact', 'shifted']) });
  });
  after(() => ws.remove());

  test('evaluate', () => {
    const inputs = snapshotFiles(ws.dir);
    const r = runMedseg(ws.dir, 'evaluate', 'exp.medseg.yaml', '--output', 'out');
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assertInputsUnchanged(inputs, ws.dir);
    const csv = readFileSync(ws.path('out/per_image.csv'), 'utf8').trim().split('\n');
    const header = csv[0].split(',');
    const dice = header.indexOf('dice');
    const method = header.indexOf('method');
    const exact = csv.slice(1).map((l) => l.split(',')).filter((c) => c[method] === 'exact');
    assert.equal(exact.length, 6);
    for (const row of exact) assert.equal(Number(row[dice]), 1);
    assert.ok(existsSync(ws.path('out/summary.json')));
  });
});
