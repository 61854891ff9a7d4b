import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { extractReportData } from '../../client/src/dashboard/reportSources';
import type { ResultsData, StressTestResult, ThumbnailResult, UmapResult } from '../../server/src/protocol';
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
import { LspTestClient } from './lspClient';

const fixture = join(__dirname, '..', 'fixtures', 'evaluate', 'data');
let dir: string;
let uri: string;
let client: LspTestClient;

describe('language server: UMAP and stress-test requests', () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'medseg-lsp-jobs-'));
    cpSync(fixture, dir, { recursive: true });
    const splits = ['image_id,split', ...Array.from({ length: 12 }, (_, i) => `img_${String(i).padStart(2, '0')},${i < 6 ? 'train' : 'test'}`)];
    writeFileSync(join(dir, 'splits.csv'), splits.join('\n') + '\n');
    const file = join(dir, 'jobs.medseg.yaml');
    writeFileSync(file, readFileSync(join(dir, 'fixture.medseg.yaml'), 'utf8') + 'splits:\n  file: splits.csv\nexplain:\n  umap: { features: images, neighbors: 4 }\nstress:\n  repeats: 3\n');
    uri = pathToFileURL(file).toString();
    client = await LspTestClient.start({ settings: { validation: { images: false, debounceMs: 20 } }, rootDir: dir });
  });
  after(async () => {
    await client?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('medseg/umap embeds every image, coloured by split, with progress', async () => {
    const result = (await client.request('medseg/umap', { uri, workDoneToken: 'umap-1' })) as UmapResult;
    assert.equal(result.colorBy, 'split');
    assert.equal(result.points.length, 12);
    assert.deepEqual([...new Set(result.points.map((p) => p.group))].sort(), ['test', 'train']);
    assert.ok(result.points.every((p) => Number.isFinite(p.x) && Number.isFinite(p.y)));
    assert.ok(existsSync(join(dir, 'medseg-results', 'jobs', 'umap.json')));
    const reports = client.progress.filter((p) => p.token === 'umap-1').map((p) => p.value as { kind: string; message?: string; percentage?: number });
    assert.equal(reports[0].kind, 'begin');
    assert.equal(reports[reports.length - 1].kind, 'end');
    // Progress per phase, and a bar that never goes back.
    const messages = reports.map((r) => r.message ?? '');
    for (const phase of [/^Features \d+ \/ 12 images/, /^Map images: PCA/, /^Map images: nearest neighbours/, /^Map images: layout/, /^Map images: out-of-distribution test/]) {
      assert.ok(messages.some((m) => phase.test(m)), `${phase} in ${messages.join(' | ')}`);
    }
    const percentages = reports.flatMap((r) => (r.percentage === undefined ? [] : [r.percentage]));
    assert.ok(percentages.every((v, i) => i === 0 || v >= percentages[i - 1]), percentages.join(','));
    // The view's shape: every map column-wise, groups shared.
    const map = result.maps![0];
    assert.equal(map.name, 'images');
    assert.deepEqual(map.ids, result.points.map((p) => p.imageId));
    assert.deepEqual(map.x, result.points.map((p) => p.x));
    assert.deepEqual(result.groups, ['test', 'train']);
    assert.deepEqual(map.group.map((g) => result.groups![g]), result.points.map((p) => p.group));
    assert.equal(map.neighborSearch.method, 'exact');
    assert.ok(map.ood.every((v, i) => (v === -1) === (result.points[i].group !== 'test')));
  });

  test('medseg/umap: $/cancelRequest stops it, with the progress ended, and the server keeps answering', async () => {
    const source = new CancellationTokenSource();
    const pending = client.request('medseg/umap', { uri, workDoneToken: 'umap-cancel' }, source.token);
    source.cancel();
    await assert.rejects(pending, (err: { code?: number }) => err.code === -32800);
    const events = client.progress.filter((p) => p.token === 'umap-cancel').map((p) => p.value.kind);
    assert.equal(events[events.length - 1], 'end');
    const again = (await client.request('medseg/umap', { uri })) as UmapResult;
    assert.equal(again.points.length, 12);
  });

  test('medseg/thumbnail: a small PNG of one image, and a clear error for an id not in the dataset', async () => {
    const t = (await client.request('medseg/thumbnail', { uri, imageId: 'img_03', size: 32 })) as ThumbnailResult;
    assert.equal(t.imageId, 'img_03');
    assert.ok(Math.max(t.width, t.height) <= 32);
    assert.match(t.dataUri, /^data:image\/png;base64,/);
    const png = Buffer.from(t.dataUri.slice(t.dataUri.indexOf(',') + 1), 'base64');
    assert.equal(png.readUInt32BE(16), t.width);
    assert.equal(png.readUInt32BE(20), t.height);
    await assert.rejects(client.request('medseg/thumbnail', { uri, imageId: 'no-such-image' }), /No image `no-such-image`/);
  });

  test('medseg/stressTest writes stress.json; prediction-folder models are not perturbed', async () => {
    const result = (await client.request('medseg/stressTest', { uri, split: 'test' })) as StressTestResult;
    assert.ok(existsSync(join(result.outputDir, 'stress.json')));
    const report = JSON.parse(readFileSync(join(result.outputDir, 'stress.json'), 'utf8')) as { notes: string[]; split: string };
    assert.equal(report.split, 'test');
    // Models given as predictions exist only for the original images: nothing to perturb.
    assert.deepEqual(result.rows, []);
    for (const m of ['a', 'b', 'c']) assert.ok(report.notes.some((n) => n.startsWith(`Perturbations skip model ${m}:`)), `note for ${m}`);
  });

  test('after a stress test: open dashboards are told, medseg/results and report.html carry the stress section', async () => {
    assert.ok(client.notifications.some((n) => n.method === 'medseg/resultsChanged' && (n.params as { uri: string }).uri === uri));
    const results = (await client.request('medseg/results', { uri })) as ResultsData;
    const stress = results.stress!;
    assert.equal(stress.split, 'test');
    assert.deepEqual(stress.perturbations, []);
    // No label column in the fixture: no mixes, and stress.json's note says why.
    assert.deepEqual(stress.labelMixes, []);
    assert.ok(stress.notes.some((n) => /No label mixes/.test(n)), stress.notes.join('\n'));
    const embedded = extractReportData(readFileSync(join(results.outputDir, 'report.html'), 'utf8'))!;
    assert.deepEqual(embedded.stress, stress);
  });
});
