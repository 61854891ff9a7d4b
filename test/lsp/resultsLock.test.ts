// The editor's evaluate and a terminal's run share the results folder's lock (issue 13, item 6):
// a medseg/evaluate that meets a held lock fails with results/locked naming the holder.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { acquireResultsLock, LOCK_FILE } from '../../server/src/core/results/lock';
import { makeWorkspace, predictionsConfig, type Workspace } from '../robustness/workspace';
import { LspTestClient } from './lspClient';

describe('medseg/evaluate and the results folder lock', () => {
  let ws: Workspace;
  let client: LspTestClient;
  let uri: string;
  before(async () => {
    ws = await makeWorkspace({ cases: 3, predictionModels: [{ name: 'exact', shift: 0 }], config: predictionsConfig(['exact']) });
    uri = pathToFileURL(ws.path('exp.medseg.yaml')).href;
    client = await LspTestClient.start({ settings: { validation: { images: false, debounceMs: 20 } }, rootDir: ws.dir });
  });
  after(async () => {
    await client.stop();
    ws.remove();
  });

  test('refused with results/locked and the holder while a terminal run holds the folder; runs once it is free', async () => {
    const out = ws.path('medseg-results/exp');
    const lock = await acquireResultsLock(out, 'medseg evaluate exp.medseg.yaml (terminal)');
    try {
      await assert.rejects(client.request('medseg/evaluate', { uri, split: 'all' }), (err: { message: string; data?: { code?: string } }) => {
        assert.equal(err.data?.code, 'results/locked');
        assert.match(err.message, new RegExp(`in use by another run: medseg evaluate exp\\.medseg\\.yaml \\(terminal\\) \\(pid ${process.pid}, since `));
        return true;
      });
      assert.ok(!existsSync(join(out, 'per_image.csv')), 'nothing was written');
    } finally {
      lock.release();
    }
    const result = await client.request<{ outputDir: string; images: number }>('medseg/evaluate', { uri, split: 'all' });
    assert.equal(result.images, 3);
    assert.ok(existsSync(join(out, 'per_image.csv')));
    assert.ok(!existsSync(join(out, LOCK_FILE)), 'the editor’s run released the lock');
  });
});
