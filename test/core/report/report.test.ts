import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { loadConfig } from '../../../server/src/core/config';
import { resolveDataset } from '../../../server/src/core/dataset';
import { evaluateExperiment } from '../../../server/src/core/evaluate';

const CHROMIUM = '/usr/bin/chromium';
const fixture = join(__dirname, '..', '..', 'fixtures', 'evaluate', 'data');
/** Hand-written stress results (methods a, b, fusion:union, fusion:best; label mixes of grade and site; blur and flip). */
const stressFixture = join(__dirname, '..', '..', 'fixtures', 'stress', 'stress.json');
let dir: string;
let report: string;
let browser: Browser | undefined;

describe('report.html', { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (.ci/run installs it)` }, () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'medseg-report-'));
    cpSync(fixture, dir, { recursive: true });
    // A stress.json already in the output folder: the evaluation's report draws it.
    mkdirSync(join(dir, 'out'));
    cpSync(stressFixture, join(dir, 'out', 'stress.json'));
    const parsed = await loadConfig(join(dir, 'fixture.medseg.yaml'));
    const result = await evaluateExperiment(parsed.config!, await resolveDataset(parsed.config!), { outputDir: join(dir, 'out'), command: 'medseg evaluate fixture.medseg.yaml' });
    assert.deepEqual(result.findings, []);
    report = join(dir, 'out', 'report.html');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-dev-shm-usage'],
    });
  });
  after(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('is one self-contained file: no external reference', () => {
    const html = readFileSync(report, 'utf8');
    assert.ok(!/\b(src|href)=["']https?:/i.test(html), 'no remote src/href');
    assert.ok(!/<script[^>]+src=/i.test(html), 'scripts are inline');
    assert.match(html, /Content-Security-Policy/);
  });

  test('opens in headless Chromium without a console error and draws every section', async () => {
    const page = await browser!.newPage({ viewport: { width: 1200, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('request', (r) => !r.url().startsWith('file:') && !r.url().startsWith('data:') && requests.push(r.url()));
    await page.goto(`file://${report}`);
    await page.waitForSelector('body[data-rendered="true"]', { timeout: 15000 });
    assert.deepEqual(errors, []);
    assert.deepEqual(requests, [], 'no network request');
    for (const id of ['summary', 'selection', 'boxplot', 'roc', 'comparisons', 'fusion', 'gallery-best', 'gallery-worst', 'provenance']) {
      assert.equal(await page.locator(`section#${id}`).count(), 1, `section ${id}`);
    }
    // Eight methods (three models, five fusions), the upper bound named as such.
    assert.equal(await page.locator('section#summary tbody tr').count(), 8);
    assert.match(await page.locator('section#summary').innerText(), /fusion:best\n\(upper bound\)/);
    assert.ok((await page.locator('section#boxplot svg').count()) >= 1);
    assert.ok((await page.locator('section#gallery-best img').count()) >= 1);
    assert.match(await page.locator('section#provenance').innerText(), /sha256:[0-9a-f]{64}/);
    // Stress tests: a plot and a table per label column, a degradation plot per perturbation.
    for (const id of ['stress', 'stress-mix-grade', 'stress-mix-site', 'stress-blur', 'stress-flip']) {
      assert.equal(await page.locator(`section#${id}`).count(), 1, `section ${id}`);
      assert.ok((await page.locator(`section#${id} svg`).count()) >= 1, `a plot in ${id}`);
    }
    // Reversed ranks: a and b under rare_oversampled, a, b and fusion:union under zipf.
    assert.equal(await page.locator('section#stress tr.medseg-changed').count(), 5);
    const grade = await page.locator('section#stress-mix-grade').innerText();
    assert.match(grade, /ranking changed in 75% of the repeats: b now ahead of a/);
    assert.match(grade, /0\.550 \[0\.450, 0\.650\]\s+3 ▼ \(was 2\)\s+1\.0%\s+–\s+45\.0%\s+50\.0%/);
    assert.match(await page.locator('section#stress-blur').innerText(), /0\.808 \(first below at σ=1px\)/);
    // The fixture's evaluation has c and three more fusions: the section says stress.json is of other methods.
    assert.match(await page.locator('section#stress').innerText(), /other methods than this evaluation \(it lacks c, fusion:intersection, fusion:majority, fusion:staple\)/);
    await page.screenshot({ path: join(dir, 'report.png'), fullPage: true });
    await page.close();
  });

  test('the summary table fits the page, and where it cannot, keeps its header and method column in view', async () => {
    // 1140 px is the report's own width (the dashboard without the side bar is wider).
    for (const width of [1140]) {
      const page = await browser!.newPage({ viewport: { width, height: 900 } });
      await page.goto(`file://${report}`);
      await page.waitForSelector('body[data-rendered="true"]', { timeout: 15000 });
      const box = page.locator('section#summary .medseg-table-scroll');
      const fit = await box.evaluate((b) => ({ box: b.clientWidth, table: b.scrollWidth, page: document.documentElement.scrollWidth, viewport: window.innerWidth }));
      assert.ok(fit.table <= fit.box, `at ${width} px the table (${fit.table} px) fits its box (${fit.box} px)`);
      assert.ok(fit.page <= fit.viewport, `at ${width} px the page does not scroll sideways (${fit.page} > ${fit.viewport})`);
      // Two lines per metric cell: the mean, and the interval under it.
      assert.match(await page.locator('section#summary tbody tr').first().locator('td.num').nth(1).innerText(), /^\d\.\d{3}\n\[\d\.\d{3}, \d\.\d{3}\]$/);
      await page.close();
    }
    // A window too small for the table: it scrolls in its box, the header row and the method column stay.
    const page = await browser!.newPage({ viewport: { width: 420, height: 300 } });
    await page.goto(`file://${report}`);
    await page.waitForSelector('body[data-rendered="true"]', { timeout: 15000 });
    const box = page.locator('section#summary .medseg-table-scroll');
    const before = await page.evaluate(() => ({ head: document.querySelector('section#summary thead th:nth-child(4)')!.getBoundingClientRect().top, method: document.querySelector('section#summary tbody th')!.getBoundingClientRect().left }));
    const scrolled = await box.evaluate((b) => {
      b.scrollTop = 120;
      b.scrollLeft = 200;
      return { top: b.scrollTop, left: b.scrollLeft };
    });
    assert.ok(scrolled.top > 0 && scrolled.left > 0, `the box scrolls (${JSON.stringify(scrolled)})`);
    const after = await page.evaluate(() => ({ head: document.querySelector('section#summary thead th:nth-child(4)')!.getBoundingClientRect().top, method: document.querySelector('section#summary tbody tr:nth-child(3) th')!.getBoundingClientRect().left }));
    assert.equal(after.head, before.head, 'the header row stays in place');
    assert.equal(after.method, before.method, 'the method column stays in place');
    await page.close();
  });
});
