import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { extractReportData } from '../../client/src/dashboard/reportSources';
import type { ResultsData } from '../../server/src/protocol';
import { loadConfig } from '../../server/src/core/config';
import { resolveDataset } from '../../server/src/core/dataset';
import { evaluateExperiment } from '../../server/src/core/evaluate';
import { FIXTURE_FAMILY_SENTENCE, writeExplainFixture } from '../core/report/explainFixture';
import { LspTestClient } from './lspClient';

const fixture = join(__dirname, '..', 'fixtures', 'evaluate', 'data');
let dir: string;
let out: string;
let uri: string;
let client: LspTestClient;

describe('language server: medseg/results carries the explanations section', () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'medseg-lsp-explain-'));
    cpSync(fixture, dir, { recursive: true });
    const file = join(dir, 'fixture.medseg.yaml');
    const config = (await loadConfig(file)).config!;
    out = join(dir, 'medseg-results', config.name);
    mkdirSync(out, { recursive: true });
    await writeExplainFixture(out);
    await evaluateExperiment(config, await resolveDataset(config), { command: 'medseg evaluate fixture.medseg.yaml' });
    uri = pathToFileURL(file).toString();
    client = await LspTestClient.start({ settings: { validation: { images: false, debounceMs: 20 } }, rootDir: dir });
  });
  after(async () => {
    await client?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the section the server shapes (in its worker) is the one report.html embeds', async () => {
    const results = (await client.request('medseg/results', { uri })) as ResultsData;
    const explain = results.explain!;
    assert.deepEqual(explain.methods.map((m) => m.method), ['gradcam']);
    assert.deepEqual(explain.methods[0].models.map((m) => [m.model, m.family, m.gradient, m.most.length, m.least.length]), [
      ['a', 'TII', 'exact', 4, 4],
      ['b', 'LMI', 'differences', 4, 4],
    ]);
    assert.deepEqual(explain.methods[0].families.map((f) => f.sentence), [FIXTURE_FAMILY_SENTENCE]);
    const embedded = extractReportData(readFileSync(join(results.outputDir, 'report.html'), 'utf8'))!;
    assert.deepEqual(explain, embedded.explain);
  });

  test('an explanation run newer than report.html shows in the dashboard data at once', async () => {
    const gradcam = JSON.parse(readFileSync(join(out, 'explain', 'gradcam', 'explain.json'), 'utf8'));
    mkdirSync(join(out, 'explain', 'eigencam'), { recursive: true });
    writeFileSync(join(out, 'explain', 'eigencam', 'explain.json'), JSON.stringify({ ...gradcam, method: 'eigencam', time: '2026-02-04T00:00:00.000Z', split: 'test', models: { a: { ...gradcam.models.a, gradient: 'none' } }, families: [], comparisons: [] }));
    const results = (await client.request('medseg/results', { uri })) as ResultsData;
    const explain = results.explain!;
    assert.deepEqual(explain.methods.map((m) => [m.method, m.label]), [
      ['gradcam', 'Grad-CAM'],
      ['eigencam', 'Eigen-CAM'],
    ]);
    const eigen = explain.methods[1];
    assert.equal(eigen.models[0].gradient, 'none');
    // Its rows are not there: the table shows, the gallery says why it is empty.
    assert.match(eigen.models[0].galleryNote!, /^No gallery: .*explain\/eigencam\/a\.csv does not exist/);
    assert.deepEqual(eigen.notes, ['The Eigen-CAM run of 2026-02-04T00:00:00.000Z explained the test split; this report evaluates the all split (explain follows evaluation.split).']);
    // report.html itself is as it was drawn.
    assert.equal(extractReportData(readFileSync(join(results.outputDir, 'report.html'), 'utf8'))!.explain!.methods.length, 1);
  });
});
