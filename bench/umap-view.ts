/**
 * The dashboard's UMAP map with 60,000 points (issue 19), in headless Chromium (Debian's
 * chromium through playwright-core, as scripts/report-screenshot.mjs): the bundled dashboard
 * script in a page with a stand-in for VS Code's webview API, one `umap` message as the extension
 * posts it, then 40 wheel zooms and 60 drag steps at the cursor. Prints the time from posting the
 * message to the end of the first draw, and per-frame draw times (the view records each draw as a
 * performance measure) and frame intervals (requestAnimationFrame) while panning and zooming.
 *
 *   npm run build && node --import tsx bench/umap-view.ts [points=60000] [--scale 2] [--maps 2]
 *
 * Points: the 60,000-point map bench/umap.ts wrote (bench/.data/umap/now-60000-256.f64) when it
 * is there, else 12 seeded Gaussian blobs; groups train/val/test, seeded Dice, 2 % out of
 * distribution.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import type { UmapMapData, UmapResult } from '../server/src/protocol';
import { createRandom } from '../server/src/core/util/random';

const root = join(__dirname, '..');
const N = Number(process.argv[2] && !process.argv[2].startsWith('--') ? process.argv[2] : 60000);
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const SCALE = arg('scale', 1);
const MAPS = arg('maps', 2);

function coordinates(seed: number): { x: number[]; y: number[]; source: string } {
  const file = join(__dirname, '.data', 'umap', `now-${N}-256.f64`);
  if (seed === 0 && existsSync(file)) {
    const b = readFileSync(file);
    const e = new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
    return { x: Array.from({ length: N }, (_, i) => e[2 * i]), y: Array.from({ length: N }, (_, i) => e[2 * i + 1]), source: 'bench/umap.ts map' };
  }
  const r = createRandom(seed + 1);
  const centres = Array.from({ length: 12 }, () => [20 * r.next(), 20 * r.next()]);
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < N; i++) {
    const c = centres[i % 12];
    x.push(c[0] + 0.8 * r.normal());
    y.push(c[1] + 0.8 * r.normal());
  }
  return { x, y, source: 'seeded blobs' };
}

function result(): { result: UmapResult; source: string } {
  const r = createRandom(9);
  const ids = Array.from({ length: N }, (_, i) => `img_${String(i).padStart(6, '0')}`);
  const group = ids.map((_, i) => (i % 20 < 14 ? 1 : i % 20 < 17 ? 2 : 0));
  const dice = ids.map(() => (r.next() < 0.05 ? null : Math.min(1, Math.max(0, 0.8 + 0.15 * r.normal()))));
  const ood = group.map((g) => (g === 0 ? (r.next() < 0.02 ? 1 : 0) : -1));
  let source = '';
  const maps: UmapMapData[] = Array.from({ length: MAPS }, (_, m) => {
    const c = coordinates(m);
    if (m === 0) source = c.source;
    return { name: m === 0 ? 'images' : `model${m}:layer`, features: m === 0 ? 'images' : 'layer', ids, x: c.x, y: c.y, group, dice, ood, neighborSearch: { method: 'nn-descent', recall: 0.98 } };
  });
  return { result: { colorBy: 'split', points: [], maps, groups: ['test', 'train', 'val'] }, source };
}

function quantile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor(q * (s.length - 1)))];
}

async function main(): Promise<void> {
  const script = join(root, 'dist', 'webview', 'dashboard.js');
  if (!existsSync(script)) throw new Error('dist/webview/dashboard.js is missing: run `npm run build` first');
  const dir = join(__dirname, '.data', 'umap-view');
  mkdirSync(dir, { recursive: true });
  const page = join(dir, 'index.html');
  const css = ['report', 'dashboard', 'umap'].map((c) => `<link rel="stylesheet" href="${pathToFileURL(join(root, 'media', `${c}.css`)).href}">`).join('\n');
  writeFileSync(
    page,
    `<!doctype html><html><head><meta charset="utf-8">${css}</head><body><main id="medseg-report"></main>
<script>/* tsx names the functions page.evaluate sends: __name must exist in the page */ window.__name = (f) => f; window.__posted = []; window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => undefined, setState: () => {} });</script>
<script src="${pathToFileURL(script).href}"></script></body></html>`,
  );
  const { result: data, source } = result();
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const tab = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: SCALE });
    await tab.goto(pathToFileURL(page).href);
    await tab.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'));
    // Post as the extension does; the clock starts before the message is cloned into the page.
    const firstDraw = await tab.evaluate(async (message) => {
      const start = performance.now();
      window.postMessage(message, '*');
      for (;;) {
        const draws = performance.getEntriesByName('medseg-umap-draw');
        if (draws.length > 0) return { total: draws[0].startTime + draws[0].duration - start, draw: draws[0].duration };
        await new Promise((r) => setTimeout(r, 5));
      }
    }, { type: 'umap', title: 'UMAP', result: data });
    const canvas = tab.locator('canvas.umap-canvas');
    const box = (await canvas.boundingBox())!;
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    await tab.evaluate(() => {
      performance.clearMeasures('medseg-umap-draw');
      const w = window as unknown as { __frames: number[] };
      w.__frames = [];
      const tick = (t: number) => {
        w.__frames.push(t);
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    await tab.mouse.move(cx, cy);
    for (let i = 0; i < 40; i++) {
      await tab.mouse.wheel(0, i < 20 ? -120 : 120);
      await tab.waitForTimeout(16);
    }
    await tab.mouse.down();
    for (let i = 0; i < 60; i++) {
      await tab.mouse.move(cx + 200 * Math.sin(i / 10), cy + 120 * Math.cos(i / 10));
      await tab.waitForTimeout(16);
    }
    await tab.mouse.up();
    // Hover lookups: the grid query the tooltip needs on every mouse move.
    const hoverMs = await tab.evaluate(() => {
      const c = document.querySelector('canvas.umap-canvas')!;
      const r = c.getBoundingClientRect();
      const t = performance.now();
      for (let i = 0; i < 200; i++) c.dispatchEvent(new MouseEvent('mousemove', { clientX: r.left + (i * 37) % r.width, clientY: r.top + (i * 53) % r.height, bubbles: true }));
      return (performance.now() - t) / 200;
    });
    const { draws, frames } = await tab.evaluate(() => ({
      draws: performance.getEntriesByName('medseg-umap-draw').map((e) => e.duration),
      frames: (window as unknown as { __frames: number[] }).__frames,
    }));
    const intervals = frames.slice(1).map((t, i) => t - frames[i]);
    process.stdout.write(`# UMAP view in headless Chromium · ${new Date().toISOString()} · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n\n`);
    process.stdout.write(`${N.toLocaleString('en')} points × ${MAPS} maps (${source}), viewport 1280×900, device scale ${SCALE} (canvas ${Math.round(box.width * SCALE)}×${Math.round(box.height * SCALE)} px)\n\n`);
    process.stdout.write('| measure | value |\n|---|---:|\n');
    process.stdout.write(`| message posted → first draw done | ${firstDraw.total.toFixed(0)} ms |\n`);
    process.stdout.write(`| first draw alone | ${firstDraw.draw.toFixed(1)} ms |\n`);
    process.stdout.write(`| draws while panning and zooming | ${draws.length} |\n`);
    process.stdout.write(`| draw time, median / p95 / max | ${quantile(draws, 0.5).toFixed(1)} / ${quantile(draws, 0.95).toFixed(1)} / ${quantile(draws, 1).toFixed(1)} ms |\n`);
    process.stdout.write(`| frame interval, median / p95 | ${quantile(intervals, 0.5).toFixed(1)} / ${quantile(intervals, 0.95).toFixed(1)} ms |\n`);
    process.stdout.write(`| hover lookup (mouse move → tooltip) | ${hoverMs.toFixed(2)} ms |\n`);
  } finally {
    await browser.close();
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
