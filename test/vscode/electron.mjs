// `npm run test:electron`: the extension's suite (test/vscode/suite) in desktop VS Code through
// @vscode/test-electron's runTests — the design's runner, where desktop VS Code can run: a
// machine with a display (or xvfb-run) and either network access to download VS Code or
// VSCODE_EXECUTABLE pointing at an installed one. Offline (this project's CI) it cannot, so it
// checks that first and fails within seconds with what to do; `npm run test:vscode` (code-server
// in headless Chromium) is the offline default.
//
// Env: VSCODE_EXECUTABLE (a desktop VS Code or its Electron binary; else one is downloaded),
// MEDSEG_VSCODE_VERSION (download, default 1.100.3, the version code-server carries; 'stable'
// works), MEDSEG_VSCODE_UPDATE_URL and MEDSEG_VSCODE_PROBE_TIMEOUT_MS (the reachability check
// before a download, default https://update.code.visualstudio.com and 10000),
// MEDSEG_VSCODE_DOWNLOAD_TIMEOUT_S (default 300), MEDSEG_VSCODE_ELECTRON_CACHE (default
// ~/.cache/medseg-vscode-electron), MEDSEG_TEST_TIMEOUT_S (the suite, default 900).
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OFFLINE_HINT = 'run `npm run test:vscode` instead (the same suite in code-server, offline)';

/** Exit status 2: VS Code cannot be had here (the suite did not run); 1: the suite failed. */
class Unavailable extends Error {}

function checkExecutable(path) {
  if (!existsSync(path)) throw new Unavailable(`VSCODE_EXECUTABLE=${path} does not exist: point it at a desktop VS Code (the \`code\` binary's Electron, Code.exe, …), or unset it to download VS Code; or ${OFFLINE_HINT}.`);
  if (statSync(path).isDirectory()) throw new Unavailable(`VSCODE_EXECUTABLE=${path} is a folder: give the executable inside it, or ${OFFLINE_HINT}.`);
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new Unavailable(`VSCODE_EXECUTABLE=${path} is not executable: chmod +x it or give the right file, or ${OFFLINE_HINT}.`);
  }
}

/** Whether the VS Code download server answers at all, within a few seconds (a download would hang or fail later). */
async function probeDownloadServer() {
  const url = process.env.MEDSEG_VSCODE_UPDATE_URL || 'https://update.code.visualstudio.com';
  const ms = Number(process.env.MEDSEG_VSCODE_PROBE_TIMEOUT_MS || 10_000);
  try {
    await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(ms), redirect: 'manual' });
  } catch (err) {
    const cause = err?.name === 'TimeoutError' ? `no answer within ${ms} ms` : (err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(err));
    throw new Unavailable(`cannot download VS Code: ${url} is not reachable (${cause}). Set VSCODE_EXECUTABLE to an installed desktop VS Code, or ${OFFLINE_HINT}.`);
  }
}

function withTimeout(promise, seconds, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Unavailable(`${what} did not finish within ${seconds} s (MEDSEG_${what === 'the download' ? 'VSCODE_DOWNLOAD' : 'TEST'}_TIMEOUT_S); ${OFFLINE_HINT}.`)), seconds * 1000);
      timer.unref();
    }),
  ]).finally(() => clearTimeout(timer));
}

async function main() {
  // Everything that can fail for want of VS Code is checked before the slow work (bundling, demo).
  let testElectron;
  try {
    testElectron = await import('@vscode/test-electron');
  } catch {
    throw new Unavailable(`@vscode/test-electron is not installed: run \`npm ci\` (it is a devDependency), or ${OFFLINE_HINT}.`);
  }
  let executable = process.env.VSCODE_EXECUTABLE;
  if (executable) checkExecutable(executable);
  else {
    await probeDownloadServer();
    const version = process.env.MEDSEG_VSCODE_VERSION || '1.100.3';
    const cachePath = process.env.MEDSEG_VSCODE_ELECTRON_CACHE || join(homedir(), '.cache', 'medseg-vscode-electron');
    console.log(`[test:electron] downloading VS Code ${version} into ${cachePath}`);
    executable = await withTimeout(testElectron.downloadAndUnzipVSCode({ version, cachePath }), Number(process.env.MEDSEG_VSCODE_DOWNLOAD_TIMEOUT_S || 300), 'the download');
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    throw new Unavailable('desktop VS Code needs a display: run under `xvfb-run -a npm run test:electron`, or ' + OFFLINE_HINT + '.');
  }

  const { bundleSuite, writeDemo } = await import('./lib/suite.mjs');
  const tmp = mkdtempSync(join(tmpdir(), 'medseg-electron-'));
  const folder = join(tmp, 'demo');
  const io = join(tmp, 'io');
  mkdirSync(io, { recursive: true });
  const suiteFile = join(root, 'test', '.tmp', 'vscode', 'suite.js');
  await Promise.all([bundleSuite(root, suiteFile), writeDemo(root, folder)]);
  try {
    await withTimeout(
      testElectron.runTests({
        vscodeExecutablePath: executable,
        extensionDevelopmentPath: root,
        extensionTestsPath: suiteFile,
        launchArgs: [folder, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes', '--user-data-dir', join(tmp, 'user')],
        extensionTestsEnv: { MEDSEG_TEST_IO: io, MEDSEG_TEST_EXTENSION: 'development', MEDSEG_TEST_SCREENSHOTS: '0' },
      }),
      Number(process.env.MEDSEG_TEST_TIMEOUT_S || 900),
      'the suite',
    );
    rmSync(tmp, { recursive: true, force: true });
    return 0;
  } catch (err) {
    if (err instanceof Unavailable) throw err;
    console.error(`[test:electron] the suite failed under @vscode/test-electron: ${err?.message ?? err} (workspace and log kept in ${tmp})`);
    return 1;
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof Unavailable) {
      console.error(`[test:electron] ${err.message}`);
      process.exit(2);
    }
    console.error(`[test:electron] ${err?.stack ?? err}`);
    process.exit(1);
  },
);
