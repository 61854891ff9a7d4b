import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { extractReportData } from '../../../client/src/dashboard/reportSources';
import type { ReportData } from '../../../server/src/protocol/reportData';
import { webviewHtml } from '../../../client/src/webviewHtml';
import { loadConfig } from '../../../server/src/core/config';
import { resolveDataset } from '../../../server/src/core/dataset';
import { evaluateExperiment } from '../../../server/src/core/evaluate';
import { FIXTURE_FAMILY_SENTENCE, writeExplainFixture } from '../../core/report/explainFixture';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = join(__dirname, '..', '..', '..');
const fixture = join(ROOT, 'test', 'fixtures', 'evaluate', 'data');
const DASHBOARD_SCRIPT = join(ROOT, 'dist', 'webview', 'dashboard.js');

let dir: string;
let report: string;
let browser: Browser | undefined;

/** Console errors, page errors and any request that leaves the page's own files. */
function watch(page: Page): { errors: string[]; requests: string[] } {
  const seen = { errors: [] as string[], requests: [] as string[] };
  page.on('console', (m) => m.type() === 'error' && seen.errors.push(m.text()));
  page.on('pageerror', (e) => seen.errors.push(String(e)));
  page.on('request', (r) => !r.url().startsWith('file:') && !r.url().startsWith('data:') && seen.requests.push(r.url()));
  return seen;
}

describe('the explanations section in report.html and the dashboard', { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (.ci/run installs it)` }, () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'medseg-explain-views-'));
    cpSync(fixture, dir, { recursive: true });
    // `medseg explain` has run in the folder before the evaluation: its report draws the section.
    mkdirSync(join(dir, 'out'));
    await writeExplainFixture(join(dir, 'out'));
    const parsed = await loadConfig(join(dir, 'fixture.medseg.yaml'));
    const result = await evaluateExperiment(parsed.config!, await resolveDataset(parsed.config!), { outputDir: join(dir, 'out'), command: 'medseg evaluate fixture.medseg.yaml' });
    assert.deepEqual(result.findings, []);
    report = join(dir, 'out', 'report.html');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-dev-shm-usage', '--allow-file-access-from-files'],
    });
  });
  after(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('report.html draws it without a console error or a network request', async () => {
    const page = await browser!.newPage({ viewport: { width: 1200, height: 900 } });
    const seen = watch(page);
    await page.goto(pathToFileURL(report).href);
    await page.waitForSelector('body[data-rendered="true"]', { timeout: 15000 });
    assert.deepEqual(seen.errors, []);
    assert.deepEqual(seen.requests, [], 'no network request');
    assert.equal(await page.locator('section#explain').count(), 1);
    const method = page.locator('section#explain-gradcam');
    assert.equal(await method.locator('h3').innerText(), 'Grad-CAM (gradcam)');
    // The table: one row per model; b's finite differences with their note.
    const rows = method.locator('table.medseg-explain-table tbody tr');
    assert.equal(await rows.count(), 2);
    assert.match(await rows.nth(0).innerText(), /^a\s+TII\s+features\s+Relu · 2×20×24\s+exact\s+12\s+0\.800\s+50\.0% \[35\.0, 65\.0\]\s+60\.0%\s+30\.0%\s+10\.0%\s+4\.0 ms$/);
    assert.match(await rows.nth(1).innerText(), /finite differences\s+finite differences asked for/);
    // The dot-and-interval plot: three panels, a dot per model and measure, coloured by family.
    assert.equal(await method.locator('svg circle').count(), 6);
    assert.match(await method.innerText(), /TII\s*LMI/);
    assert.ok((await method.locator('li').allInnerTexts()).includes(FIXTURE_FAMILY_SENTENCE));
    // The model pairs as a table, the sentence as the row's tooltip.
    const pair = method.locator('table.medseg-explain-pairs tbody tr');
    assert.equal(await pair.count(), 1);
    assert.match(await pair.innerText(), /^a vs b\s+12\s+0\.0 pp\s+Wilcoxon signed-rank\s+39\s+1\.0\s+1\.0\s+0\.00$/);
    assert.match((await pair.getAttribute('title'))!, /^Heat inside the reference: a vs b, mean difference 0\.0 percentage points on 12 images; Wilcoxon signed-rank, W = 39, p = 1\.0/);
    // Galleries: a's shares rise with the image number, b's fall (explainFixture.ts).
    const ids = async (model: string, kind: string) => page.locator(`.medseg-explain-model[data-model="${model}"] .medseg-explain-strip.${kind} figcaption > div:first-child`).allInnerTexts();
    assert.deepEqual(await ids('a', 'most'), ['img_11', 'img_10', 'img_09', 'img_08']);
    assert.deepEqual(await ids('a', 'least'), ['img_00', 'img_01', 'img_02', 'img_03']);
    assert.deepEqual(await ids('b', 'most'), ['img_00', 'img_01', 'img_02', 'img_03']);
    // 12/13 = 92.3 % inside the reference, 7.7 % on FP pixels.
    assert.match(await page.locator('.medseg-explain-model[data-model="a"] figcaption').first().innerText(), /ref 92\.3% · FP 7\.7%\s+FN 0\.0% · Dice 0\.800/);
    // Every thumbnail decodes (a data: URI the CSP allows): 120 × 100 for the 24 × 20 images.
    const sizes = await page.locator('section#explain img').evaluateAll((imgs) => imgs.map((i) => `${(i as HTMLImageElement).naturalWidth}×${(i as HTMLImageElement).naturalHeight}`));
    assert.deepEqual(sizes, Array(16).fill('120×100'));
    await page.close();
  });

  test('the section adds tens of kB, not MB: small JPEG thumbnails', () => {
    const data = extractReportData(readFileSync(report, 'utf8'))!;
    const bytes = JSON.stringify(data.explain).length;
    assert.ok(bytes < 80_000, `${bytes} bytes`);
    assert.ok(statSync(report).size < 1_500_000);
  });

  test('the dashboard draws the same data, and a click on a thumbnail asks the host for that image\'s heatmaps', async () => {
    assert.ok(existsSync(DASHBOARD_SCRIPT), 'npm run build first (dist/webview/dashboard.js)');
    const data = extractReportData(readFileSync(report, 'utf8')) as ReportData;
    const shell = join(dir, 'dashboard.html');
    writeFileSync(
      shell,
      webviewHtml({ cspSource: 'file:', nonce: 'n0nce', title: 'MedSeg Results', scriptUri: pathToFileURL(DASHBOARD_SCRIPT).href, styleUris: [pathToFileURL(join(ROOT, 'media', 'report.css')).href, pathToFileURL(join(ROOT, 'media', 'dashboard.css')).href], rootId: 'medseg-report', inlineStyles: true }),
    );
    const page = await browser!.newPage({ viewport: { width: 1200, height: 900 } });
    const seen = watch(page);
    // The webview's host channel, as VS Code provides it: messages to the host are recorded.
    // (A string: tsx would put its own helpers into a function's source, which the page lacks.)
    await page.addInitScript('window.posted = []; window.acquireVsCodeApi = () => ({ postMessage: (m) => window.posted.push(m), getState: () => undefined, setState: () => undefined });');
    await page.goto(pathToFileURL(shell).href);
    await page.waitForFunction(() => (window as unknown as { posted: { type: string }[] }).posted.some((m) => m.type === 'ready'));
    await page.evaluate((d) => window.postMessage({ type: 'report', data: d, source: 'report.html' }, '*'), data);
    await page.waitForSelector('body[data-rendered="true"]', { timeout: 15000 });
    const rendered = await page.evaluate(() => (window as unknown as { posted: { type: string; sections?: string[] }[] }).posted.find((m) => m.type === 'rendered'));
    assert.ok(rendered?.sections?.includes('explain') && rendered.sections.includes('explain-gradcam'), JSON.stringify(rendered));
    await page.locator('.medseg-explain-model[data-model="b"] .medseg-explain-strip.least figure').first().click();
    const opened = await page.evaluate(() => (window as unknown as { posted: { type: string }[] }).posted.filter((m) => m.type === 'openImage'));
    // b's least heat inside the reference: img_11 (1/13).
    assert.deepEqual(opened, [{ type: 'openImage', imageId: 'img_11', method: 'b', focusKind: 'heatmap' }]);
    assert.deepEqual(seen.errors, []);
    assert.deepEqual(seen.requests, []);
    await page.close();
  });
});
