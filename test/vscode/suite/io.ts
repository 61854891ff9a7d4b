/**
 * The folder the suite shares with its driver (test/vscode/run.mjs): the suite log, and the
 * screenshot handshake (the suite asks, the driver shoots the page and answers). Under
 * @vscode/test-electron there is no driver and screenshots are skipped.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function ioDir(): string | undefined {
  const dir = process.env.MEDSEG_TEST_IO;
  return dir && existsSync(dir) ? dir : undefined;
}

/** `height`: a taller page for the shot (the workbench lays out again), e.g. to show plots below a table. */
export async function requestScreenshot(name: string, options: { height?: number } = {}, timeoutMs = 30_000): Promise<boolean> {
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
