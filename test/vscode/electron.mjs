// The same suite under desktop VS Code with @vscode/test-electron, where it can be downloaded
// (not on this project's offline CI: there `npm run test:vscode` uses code-server instead).
//   npm install --no-save @vscode/test-electron && node scripts/build.mjs && node test/vscode/electron.mjs
// Env: MEDSEG_VSCODE_VERSION (default 1.100.3, the version code-server carries; 'stable' works too).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleSuite, writeDemo } from './lib/suite.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

async function main() {
  let testElectron;
  try {
    testElectron = await import('@vscode/test-electron');
  } catch {
    console.error('@vscode/test-electron is not installed: `npm install --no-save @vscode/test-electron` (it downloads VS Code), or run `npm run test:vscode`.');
    return 2;
  }
  const tmp = mkdtempSync(join(tmpdir(), 'medseg-electron-'));
  const folder = join(tmp, 'demo');
  const io = join(tmp, 'io');
  mkdirSync(io, { recursive: true });
  const suiteFile = join(root, 'test', '.tmp', 'vscode', 'suite.js');
  await Promise.all([bundleSuite(root, suiteFile), writeDemo(root, folder)]);
  try {
    await testElectron.runTests({
      version: process.env.MEDSEG_VSCODE_VERSION || '1.100.3',
      extensionDevelopmentPath: root,
      extensionTestsPath: suiteFile,
      launchArgs: [folder, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
      extensionTestsEnv: { MEDSEG_TEST_IO: io, MEDSEG_TEST_EXTENSION: 'development', MEDSEG_TEST_SCREENSHOTS: '0' },
    });
    rmSync(tmp, { recursive: true, force: true });
    return 0;
  } catch (err) {
    console.error(`the suite failed under @vscode/test-electron: ${err.message ?? err} (workspace kept in ${tmp})`);
    return 1;
  }
}

main().then((code) => process.exit(code));
