// The writers of a results folder hold its lock while they write and give it back on every way out
// (issue 13, item 6): evaluate, stress (which may evaluate first under the same lock) and the
// report redraw after a stress test.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig, type MedsegConfig } from '../../../server/src/core/config';
import { resolveDataset } from '../../../server/src/core/dataset';
import type { ResolvedDataset } from '../../../server/src/core/dataset/types';
import { evaluateExperiment } from '../../../server/src/core/evaluate';
import { refreshReport } from '../../../server/src/core/report/rerender';
import { acquireResultsLock, LOCK_FILE } from '../../../server/src/core/results/lock';
import { runStress } from '../../../server/src/core/stress';
import { makeWorkspace, predictionsConfig, type Workspace } from '../../robustness/workspace';

describe('results folder lock in the pipelines', () => {
  let ws: Workspace;
  let config: MedsegConfig;
  let dataset: ResolvedDataset;
  before(async () => {
    ws = await makeWorkspace({ cases: 3, predictionModels: [{ name: 'exact', shift: 0 }, { name: 'shifted', shift: 1 }], config: predictionsConfig(['exact', 'shifted']) });
    config = (await loadConfig(ws.path('exp.medseg.yaml'))).config!;
    dataset = await resolveDataset(config);
  });
  after(() => ws.remove());

  test('evaluate holds the lock while it runs and releases it after', async () => {
    const out = ws.path('out-a');
    let heldDuring = false;
    await evaluateExperiment(config, dataset, { outputDir: out, report: false, onProgress: () => (heldDuring ||= existsSync(join(out, LOCK_FILE))) });
    assert.ok(heldDuring);
    assert.ok(!existsSync(join(out, LOCK_FILE)));
  });

  test('an aborted evaluation releases the lock', async () => {
    const out = ws.path('out-b');
    const controller = new AbortController();
    const run = evaluateExperiment(config, dataset, { outputDir: out, report: false, signal: controller.signal, onProgress: () => controller.abort(new Error('stop')) });
    await assert.rejects(run, /stop/);
    assert.ok(!existsSync(join(out, LOCK_FILE)));
  });

  test('evaluate and stress into a held folder are refused with results/locked; stress evaluates first under its own lock', async () => {
    const out = ws.path('out-c');
    const lock = await acquireResultsLock(out, 'the editor');
    await assert.rejects(evaluateExperiment(config, dataset, { outputDir: out, report: false }), { code: 'results/locked' });
    await assert.rejects(runStress(config, dataset, { outputDir: out, perturbations: [] }), { code: 'results/locked' });
    assert.ok(!existsSync(join(out, 'per_image.csv')) && !existsSync(join(out, 'stress.json')));
    lock.release();
    const run = await runStress(config, dataset, { outputDir: out, perturbations: [] });
    assert.equal(run.report.rows_from, 'evaluation', 'no per_image.csv yet: evaluated first, inside the stress run’s lock');
    assert.ok(existsSync(join(out, 'per_image.csv')) && existsSync(join(out, 'stress.json')));
    assert.ok(!existsSync(join(out, LOCK_FILE)));
  });

  test('a report redraw that meets a held folder is a report/failed warning naming the holder, not a mixed report', async () => {
    const out = ws.path('out-c');
    const lock = await acquireResultsLock(out, 'medseg evaluate other.medseg.yaml');
    try {
      const r = await refreshReport(out, { config, cases: dataset.cases, command: 'medseg stress exp.medseg.yaml' });
      assert.equal(r.report, undefined);
      assert.equal(r.finding?.code, 'report/failed');
      assert.match(r.finding!.message, /in use by another run: medseg evaluate other\.medseg\.yaml/);
    } finally {
      lock.release();
    }
    assert.ok((await refreshReport(out, { config, cases: dataset.cases, command: 'medseg stress exp.medseg.yaml' })).report);
  });
});
