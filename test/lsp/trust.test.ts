/**
 * Workspace trust enforced by the server itself, whatever the client checks: with
 * `initializationOptions: { trusted: false }` no request runs a model and nothing is written
 * outside the workspace folders, until the client sends `medseg/workspaceTrusted`.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { EvaluateResult, ValidateResult } from '../../server/src/protocol';
import { snapshotFiles } from '../robustness/workspace';
import { isWithinRoots } from '../../server/src/lsp/trust';
import { LspTestClient } from './lspClient';

const fixture = join(__dirname, '..', 'fixtures', 'evaluate', 'data');

/** The error of a refused request: LSP RequestFailed, a message that says why, `data.code` for clients. */
function refusedAsUntrusted(e: unknown): boolean {
  const error = e as { code?: number; message?: string; data?: { code?: string } };
  assert.equal(error.code, -32803, String(error.message));
  assert.match(error.message ?? '', /an untrusted workspace \(Restricted Mode\) does not allow/);
  assert.equal(error.data?.code, 'untrusted-workspace');
  return true;
}

describe('language server in an untrusted workspace', () => {
  let ws: string;
  let outside: string;
  let cache: string;
  let uri: string;
  let client: LspTestClient;
  let inputs: Map<string, string>;

  before(async () => {
    ws = mkdtempSync(join(tmpdir(), 'medseg-untrusted-'));
    outside = mkdtempSync(join(tmpdir(), 'medseg-outside-'));
    cpSync(fixture, ws, { recursive: true });
    cache = join(outside, 'cache');
    const file = join(ws, 'exp.medseg.yaml');
    writeFileSync(file, `${readFileSync(join(ws, 'fixture.medseg.yaml'), 'utf8')}runtime:\n  cache: ${cache}\n`);
    uri = pathToFileURL(file).toString();
    inputs = snapshotFiles(ws);
    client = await LspTestClient.start({ rootDir: ws, initializationOptions: { trusted: false }, settings: { validation: { images: true, debounceMs: 20 } } });
  });
  after(async () => {
    await client?.stop();
    rmSync(ws, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  test('opening a config whose runtime.cache is outside the workspace, and validating its images, writes nothing anywhere', async () => {
    await client.open(uri, readFileSync(join(ws, 'exp.medseg.yaml'), 'utf8'));
    await client.waitForDiagnostics(uri, () => true);
    const result = (await client.request('medseg/validate', { uri, images: true })) as ValidateResult;
    assert.equal(result.cases, 12, 'the images were read (the scan ran)');
    assert.equal(existsSync(cache), false, 'no scan cache outside the workspace');
    assert.deepEqual(readdirSync(outside), []);
    assert.deepEqual([...snapshotFiles(ws)], [...inputs], 'the workspace is unchanged, with no new file');
  });

  test('evaluate, the stress test and UMAP are refused with a clear error, and write nothing', async () => {
    for (const method of ['medseg/evaluate', 'medseg/stressTest', 'medseg/umap']) {
      await assert.rejects(client.request(method, { uri }), refusedAsUntrusted, method);
    }
    assert.equal(existsSync(join(ws, 'medseg-results')), false);
    assert.deepEqual([...snapshotFiles(ws)], [...inputs]);
  });

  test('a split file or a folder outside the workspace is refused; a split inside it is written', async () => {
    const outsideSplit = join(outside, 'splits.csv');
    await assert.rejects(client.request('medseg/generateSplit', { uri, out: outsideSplit }), refusedAsUntrusted);
    assert.equal(existsSync(outsideSplit), false);
    await client.request('workspace/executeCommand', { command: 'medseg.createFolder', arguments: [{ uri, folder: join(outside, 'made') }] });
    assert.equal(existsSync(join(outside, 'made')), false);
    const shown = client.shownMessages;
    assert.ok(shown.some((m) => /could not create the folder: Creating a folder would write .*made, outside the workspace folders/.test(m)), shown.join('\n'));
    const inside = (await client.request('medseg/generateSplit', { uri, out: join(ws, 'splits.csv') })) as { rows: number };
    assert.equal(inside.rows, 12);
    assert.equal(existsSync(cache), false, 'the split\'s image scan kept the cache unwritten too');
    assert.deepEqual(readdirSync(outside), []);
  });

  test('once the client says the workspace is trusted, evaluate runs and the cache is written where the config says', async () => {
    await client.connection.sendNotification('medseg/workspaceTrusted');
    const result = (await client.request('medseg/evaluate', { uri })) as EvaluateResult;
    assert.equal(result.images, 12);
    assert.ok(existsSync(join(result.outputDir, 'per_image.csv')));
    await client.request('medseg/validate', { uri, images: true });
    assert.ok(existsSync(cache), 'trusted: runtime.cache is honoured');
  });
});

describe('language server without trust information (editors other than VS Code)', () => {
  test('is trusted: evaluate runs', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'medseg-trusted-'));
    const client = await LspTestClient.start({ rootDir: ws, settings: { validation: { images: false, debounceMs: 20 } } });
    try {
      cpSync(fixture, ws, { recursive: true });
      const result = (await client.request('medseg/evaluate', { uri: pathToFileURL(join(ws, 'fixture.medseg.yaml')).toString() })) as EvaluateResult;
      assert.equal(result.images, 12);
    } finally {
      await client.stop();
      rmSync(ws, { recursive: true, force: true });
    }
  });
});

describe('isWithinRoots', () => {
  test('inside, the root itself, siblings with a common prefix, `..`, and a symbolic link out of the workspace', () => {
    const base = mkdtempSync(join(tmpdir(), 'medseg-roots-'));
    try {
      const root = join(base, 'ws');
      mkdirSync(join(root, 'data'), { recursive: true });
      mkdirSync(join(base, 'elsewhere'));
      symlinkSync(join(base, 'elsewhere'), join(root, 'link'));
      assert.equal(isWithinRoots(join(root, 'data', 'cache', 'scan.json'), [root]), true, 'a path that does not exist yet');
      assert.equal(isWithinRoots(root, [root]), true);
      assert.equal(isWithinRoots(join(base, 'ws2', 'x'), [root]), false, 'a common prefix is not inside');
      assert.equal(isWithinRoots(join(root, '..', 'elsewhere'), [root]), false);
      assert.equal(isWithinRoots(join(root, 'link', 'cache'), [root]), false, 'a link that leaves the workspace');
      assert.equal(isWithinRoots(join(root, '..x', 'y'), [root]), true, 'a folder named `..x` is inside');
      assert.equal(isWithinRoots('/anywhere', undefined), true, 'no roots: trusted');
      assert.equal(isWithinRoots(join(root, 'x'), []), false, 'untrusted without a workspace folder: nowhere');
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});
