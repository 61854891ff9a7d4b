// Screenshot of one element (a section, a plot) of a report.html (for the README), in Debian's Chromium via playwright-core.
//   node scripts/report-screenshot.mjs <report.html> <css selector> <out.png> [width=1100] [max height]
import { chromium } from 'playwright-core';
import { pathToFileURL } from 'node:url';

const [report, selector, out, width = '1100', maxHeight] = process.argv.slice(2);
if (!report || !selector || !out) {
  console.error('usage: node scripts/report-screenshot.mjs <report.html> <css selector> <out.png> [width] [max height]');
  process.exit(2);
}
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: Number(width), height: 900 }, deviceScaleFactor: 1 });
  await page.goto(pathToFileURL(report).href);
  const section = page.locator(selector).first();
  await section.waitFor({ state: 'visible', timeout: 15000 });
  const box = await section.boundingBox();
  if (maxHeight && box && box.height > Number(maxHeight)) {
    await page.screenshot({ path: out, fullPage: true, clip: { x: box.x, y: box.y, width: box.width, height: Number(maxHeight) } });
  } else {
    await section.screenshot({ path: out });
  }
  console.log(`${out}: ${selector} of ${report}`);
} finally {
  await browser.close();
}
