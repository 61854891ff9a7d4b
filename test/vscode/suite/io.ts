/**
 * The folder the suite shares with its driver (test/vscode/run.mjs): the suite log, and the
 * screenshot handshake (the suite asks, the driver shoots the page and answers). Under
 * @vscode/test-electron there is no driver and screenshots are skipped.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function ioDir(): string | undefined {
  const dir = process.env.MEDSEG_TEST_IO;
  return dir && existsSync(dir) ? dir : undefined;
}

export interface ScreenshotOptions {
  /** A taller page for the shot (the workbench lays out again), e.g. to show plots below a table. */
  height?: number;
  /** Folder under media/ (default `screenshots`, the README's) and file name (default: the request's name). */
  dir?: string;
  file?: string;
  /** Resize the shot to this width (walkthrough images). */
  width?: number;
}

export async function requestScreenshot(name: string, options: ScreenshotOptions = {}, timeoutMs = 30_000): Promise<boolean> {
  const dir = ioDir();
  if (!dir || process.env.MEDSEG_TEST_SCREENSHOTS !== '1') return false;
  const done = join(dir, `${name}.shot-done`);
  writeFileSync(join(dir, `${name}.shot-request`), JSON.stringify({ name, ...options }));
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (existsSync(done)) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the driver did not take screenshot ${name} within ${timeoutMs} ms`);
}

export interface DomElement {
  className: string;
  ariaChecked: string | null;
  text: string;
}

/**
 * The workbench page's elements matching `selector`, as the driver sees them (what the extension
 * API cannot tell: a walkthrough step's tick). Undefined without a driver (@vscode/test-electron).
 */
export async function queryDom(name: string, selector: string, timeoutMs = 15_000): Promise<DomElement[] | undefined> {
  const dir = ioDir();
  if (!dir || process.env.MEDSEG_TEST_DRIVER !== '1') return undefined;
  const done = join(dir, `${name}.dom-done`);
  writeFileSync(join(dir, `${name}.dom-request`), JSON.stringify({ selector }));
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (existsSync(done)) {
      const answer = JSON.parse(readFileSync(done, 'utf8')) as { elements?: DomElement[]; error?: string };
      if (answer.error) throw new Error(`DOM query ${selector}: ${answer.error}`);
      return answer.elements ?? [];
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the driver did not answer DOM query ${name} within ${timeoutMs} ms`);
}

/** The page console's warnings and errors so far (written by the driver); undefined without one. */
export function pageConsole(): string[] | undefined {
  const dir = ioDir();
  if (!dir || process.env.MEDSEG_TEST_DRIVER !== '1') return undefined;
  const file = join(dir, 'page-console.log');
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}
