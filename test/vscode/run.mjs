// `npm run test:vscode`: the extension's suite (test/vscode/suite) in a REAL VS Code extension host.
// Desktop VS Code cannot be downloaded here, so this runs the VS Code server that ships inside the
// npm package code-server@4.100.3 (VS Code 1.100.3, Node 20), opens its web workbench in headless
// Debian Chromium driven by playwright-core, and loads the extension in development mode with
// `extensionTestsPath` pointing at the bundled suite. The workbench calls `codeAutomationExit(code)`
// when the suite ends; that code is our exit status. Then the suite runs a second time against the
// packaged VSIX (npm run package's staging), installed with the server's --install-extension and
// no development extension: that proves the VSIX installs, activates and loads its own natives.
// The same suite runs under @vscode/test-electron with test/vscode/electron.mjs where desktop VS
// Code can be downloaded.
//
// Env: MEDSEG_VSCODE_WEB_CACHE (install cache, default ~/.cache/medseg-vscode-web), CHROME
// (browser, default /usr/bin/chromium), MEDSEG_TEST_TIMEOUT_S (per run, default 240),
// MEDSEG_TEST_VSIX=0 (skip the VSIX run), MEDSEG_KEEP_TMP=1 (keep the workspaces and logs),
// MEDSEG_UPDATE_SCREENSHOTS=1 (rewrite media/screenshots/*.png for the README and media/walkthrough/*.png
// for the walkthrough; written anyway when missing).
// Besides screenshots the driver answers DOM queries on the workbench page (<name>.dom-request →
// <name>.dom-done: the matching elements' classes, aria-checked and text) and appends the page's
// console warnings and errors to io/page-console.log, for what the extension API cannot see.
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumPath, codeServerMain, codeServerVersion, ensureCodeServer, ensureSystemPackages } from './lib/install.mjs';
import sharp from 'sharp';
import { bundleSuite, runNode, writeDemo } from './lib/suite.mjs';
import { packageVsix } from '../../scripts/lib/vsix.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const t0 = Date.now();
const log = (...a) => console.log(`[test:vscode ${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);
const timeoutS = Number(process.env.MEDSEG_TEST_TIMEOUT_S || 240);

function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

/** The VS Code server in its own process group (so one kill stops it, its extension hosts and language servers). */
async function startServer({ port, data, folder, io, screenshots, installed }) {
  mkdirSync(join(data, 'user', 'User'), { recursive: true });
  mkdirSync(join(data, 'extensions'), { recursive: true });
  writeFileSync(
    join(data, 'user', 'User', 'settings.json'),
    JSON.stringify({
      'workbench.startupEditor': 'none',
      'telemetry.telemetryLevel': 'off',
      'files.autoSave': 'off',
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'update.mode': 'none',
      'workbench.enableExperiments': false,
      'security.workspace.trust.enabled': false,
      'workbench.tips.enabled': false,
      'window.commandCenter': false,
      'workbench.colorTheme': 'Default Dark Modern',
    }),
  );
  const args = [
    codeServerMain(),
    '--host', '127.0.0.1',
    '--port', String(port),
    '--without-connection-token',
    '--accept-server-license-terms',
    '--disable-telemetry',
    '--disable-workspace-trust',
    '--user-data-dir', join(data, 'user'),
    '--server-data-dir', join(data, 'server'),
    '--extensions-dir', join(data, 'extensions'),
    '--default-folder', folder,
  ];
  const env = { ...process.env, XDG_CONFIG_HOME: join(data, 'xdg'), XDG_DATA_HOME: join(data, 'xdg'), XDG_CACHE_HOME: join(data, 'xdg'), MEDSEG_TEST_IO: io, MEDSEG_TEST_SCREENSHOTS: screenshots ? '1' : '0', MEDSEG_TEST_DRIVER: '1', MEDSEG_TEST_EXTENSION: installed ? 'installed' : 'development' };
  const logFile = join(data, 'server.log');
  const server = spawn(process.execPath, args, { detached: true, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let serverLog = '';
  server.stdout.on('data', (d) => (serverLog += d));
  server.stderr.on('data', (d) => (serverLog += d));
  const stop = () => {
    writeFileSync(logFile, serverLog);
    try {
      process.kill(-server.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
    return new Promise((res) => {
      const started = Date.now();
      const poll = setInterval(() => {
        let alive = true;
        try {
          process.kill(-server.pid, 0);
        } catch {
          alive = false;
        }
        if (!alive || Date.now() - started > 5000) {
          clearInterval(poll);
          if (alive) {
            try {
              process.kill(-server.pid, 'SIGKILL');
            } catch {
              /* gone */
            }
          }
          res();
        }
      }, 100);
    });
  };
  for (let i = 0; i < 120; i++) {
    if (server.exitCode !== null) throw new Error(`the VS Code server exited with ${server.exitCode}:\n${serverLog.slice(-3000)}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/version`);
      if (r.ok || r.status === 404) return { stop, log: () => serverLog };
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(`the VS Code server did not come up:\n${serverLog.slice(-3000)}`);
}

function writeTestHostStub(dir) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'medseg-test-host', publisher: 'medseg-test', version: '0.0.0', engines: { vscode: '^1.91.0' } }));
  return dir;
}

/** Installs a VSIX into a server data folder with the server's own CLI, and checks it is listed. */
async function installVsix(vsix, data) {
  mkdirSync(join(data, 'extensions'), { recursive: true });
  const args = [codeServerMain(), '--accept-server-license-terms', '--user-data-dir', join(data, 'user'), '--server-data-dir', join(data, 'server'), '--extensions-dir', join(data, 'extensions')];
  const env = { ...process.env, XDG_CONFIG_HOME: join(data, 'xdg'), XDG_DATA_HOME: join(data, 'xdg'), XDG_CACHE_HOME: join(data, 'xdg') };
  const out = await runNode([...args, '--install-extension', vsix, '--force'], { env });
  const listed = await runNode([...args, '--list-extensions', '--show-versions'], { env });
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const id = `${manifest.publisher}.${manifest.name}@${manifest.version}`;
  if (!listed.split(/\s+/).includes(id)) throw new Error(`${id} is not listed after installing ${vsix}:\n${out}\n${listed}`);
  return id;
}

/**
 * One run of the suite in a fresh server and browser: with the repository as the development
 * extension, or (`installed`) with the packaged VSIX installed and no development extension.
 */
async function runSuite({ label, tmp, folder, suiteFile, installed, screenshots }) {
  const io = join(tmp, `io-${label}`);
  const data = join(tmp, `vscode-data-${label}`);
  mkdirSync(io, { recursive: true });
  // Screenshots for the README (media/screenshots) and the walkthrough (media/walkthrough) are
  // refreshed on request or when missing, so a test run leaves git clean.
  const update = process.env.MEDSEG_UPDATE_SCREENSHOTS === '1';
  const shotFile = (dir, name) => {
    const committed = join(root, 'media', dir, `${name}.png`);
    return update || !existsSync(committed) ? committed : join(tmp, 'screenshots', dir, `${name}.png`);
  };
  if (installed) log(`[${label}] installed ${await installVsix(installed, data)}`);
  const port = await freePort();
  const server = await startServer({ port, data, folder, io, screenshots, installed: !!installed });
  log(`[${label}] VS Code server on http://127.0.0.1:${port}`);

  const { chromium } = await import('playwright-core');
  const context = await chromium.launchPersistentContext(join(tmp, `chromium-${label}`), {
    executablePath: chromiumPath(),
    headless: true,
    viewport: { width: 1440, height: 900 },
    deviceScaleFactor: 1,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  let exitCode = 1;
  let shotTimer;
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (m) => {
      const text = m.text();
      if (m.type() === 'warning' || m.type() === 'error') appendFileSync(join(io, 'page-console.log'), `${m.type()}: ${text.replace(/\n/g, ' ')}\n`);
      if (text.includes('[medseg-suite]')) console.log(`[${label}] ${text.slice(text.indexOf('[medseg-suite]'))}`);
      else if (m.type() === 'warning' && /medseg-eval/i.test(text)) console.log(`[${label}]   [page warning]`, text.slice(0, 400));
      else if (m.type() === 'error' && !/Failed to load resource|ERR_NAME_NOT_RESOLVED|ENOTFOUND|open-vsx|service worker|serviceWorker|Manifest fetch|bad HTTP response code \(404\)|test\(s\) failed/i.test(text)) console.log(`[${label}]   [page error]`, text.slice(0, 400));
    });
    page.on('pageerror', (e) => console.log(`[${label}]   [page exception]`, e.message.slice(0, 400)));
    const done = new Promise((res) => page.exposeFunction('codeAutomationExit', (code) => res(code)));
    const authority = `127.0.0.1:${port}`;
    // VS Code runs extensionTestsPath only beside a development extension: with the VSIX installed,
    // that is an empty stub (another id), so the installed copy of MedSeg is the one that runs.
    const devPath = installed ? writeTestHostStub(join(tmp, 'test-host')) : root;
    const payload = [
      ['extensionDevelopmentPath', `vscode-remote://${authority}${devPath}`],
      ['extensionTestsPath', `vscode-remote://${authority}${suiteFile}`],
    ];
    const url = `http://${authority}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;

    // The suite asks for screenshots by writing <name>.shot-request into io/ (we answer with
    // <name>.shot-done), and for DOM facts with <name>.dom-request (answered in <name>.dom-done).
    const taken = new Set();
    shotTimer = setInterval(async () => {
      for (const f of readdirSync(io)) {
        if (f.endsWith('.dom-request')) {
          const name = f.slice(0, -'.dom-request'.length);
          if (taken.has(`dom:${name}`)) continue;
          taken.add(`dom:${name}`);
          let answer;
          try {
            const { selector } = JSON.parse(readFileSync(join(io, f), 'utf8'));
            const elements = await page.$$eval(selector, (els) => els.map((e) => ({ className: e.className, ariaChecked: e.getAttribute('aria-checked'), text: (e.textContent ?? '').trim().slice(0, 200) })));
            answer = { elements };
          } catch (err) {
            answer = { error: err.message };
          }
          writeFileSync(join(io, `${name}.dom-done`), JSON.stringify(answer));
          continue;
        }
        if (!f.endsWith('.shot-request')) continue;
        const name = f.slice(0, -'.shot-request'.length);
        if (taken.has(name)) continue;
        taken.add(name);
        try {
          const request = JSON.parse(readFileSync(join(io, f), 'utf8'));
          const viewport = page.viewportSize();
          if (request.height && viewport) {
            await page.setViewportSize({ width: viewport.width, height: request.height });
            await page.waitForTimeout(1500);
          }
          const file = shotFile(request.dir ?? 'screenshots', request.file ?? name);
          mkdirSync(dirname(file), { recursive: true });
          const png = await page.screenshot();
          // A smaller copy where asked (walkthrough pages show images at about 500 px).
          if (request.width) await sharp(png).resize({ width: request.width }).png({ compressionLevel: 9 }).toFile(file);
          else writeFileSync(file, png);
          if (request.height && viewport) await page.setViewportSize(viewport);
          log(`[${label}] screenshot ${file}`);
        } catch (err) {
          log(`[${label}] screenshot ${name} failed: ${err.message}`);
        }
        writeFileSync(join(io, `${name}.shot-done`), '');
      }
    }, 200);

    await page.goto(url);
    const timeout = new Promise((res) => setTimeout(() => res('timeout'), timeoutS * 1000));
    // A suite that never starts (no extension host, no test runner) fails fast instead of at the timeout.
    const started = new Promise((res) => {
      const t = setTimeout(() => res(existsSync(join(io, 'suite.log')) ? undefined : 'not started'), 120_000);
      t.unref();
    }).then((r) => (r ? r : new Promise(() => undefined)));
    const result = await Promise.race([done, timeout, started]);
    if (result === 'not started') log(`[${label}] the suite did not start within 120 s`);
    else if (result === 'timeout') {
      log(`[${label}] the suite did not finish within ${timeoutS} s`);
      await page.screenshot({ path: join(tmp, `timeout-${label}.png`) }).catch(() => undefined);
    } else exitCode = Number(result) === 0 ? 0 : 1;
  } finally {
    clearInterval(shotTimer);
    await context.close().catch(() => undefined);
    await server.stop();
  }
  const suiteLog = join(io, 'suite.log');
  if (!existsSync(suiteLog)) log(`[${label}] the suite wrote no log (did the extension host start?)`);
  else if (exitCode !== 0) process.stdout.write(readFileSync(suiteLog, 'utf8'));
  if (exitCode !== 0) log(`[${label}] server log tail:\n${server.log().slice(-4000)}`);
  log(`[${label}] ${exitCode === 0 ? 'PASS' : 'FAIL'}`);
  return exitCode;
}

async function main() {
  ensureSystemPackages(log);
  ensureCodeServer(log);
  log(`VS Code ${codeServerVersion()} (code-server 4.100.3), chromium ${chromiumPath()}`);
  for (const f of ['dist/client.js', 'dist/server.js', 'dist/demo.js', 'dist/webview/preview.js', 'dist/webview/dashboard.js']) {
    if (!existsSync(join(root, f))) throw new Error(`${f} is missing: run \`npm run build\` first`);
  }
  const withVsix = process.env.MEDSEG_TEST_VSIX !== '0';
  const tmp = mkdtempSync(join(tmpdir(), 'medseg-vscode-'));
  const suiteFile = join(root, 'test', '.tmp', 'vscode', 'suite.js');
  log('bundling the suite, writing the demo workspace' + (withVsix ? 's and packaging the VSIX' : ''));
  await Promise.all([bundleSuite(root, suiteFile), writeDemo(root, join(tmp, 'demo')), withVsix ? writeDemo(root, join(tmp, 'demo-vsix')) : undefined]);
  let code = await runSuite({ label: 'dev', tmp, folder: join(tmp, 'demo'), suiteFile, screenshots: true });
  if (withVsix) {
    const vsix = await packageVsix({ root, out: join(tmp, 'medseg-eval-linux-x64.vsix'), log: (m) => log(`[vsix] ${m}`) });
    code = Math.max(code, await runSuite({ label: 'vsix', tmp, folder: join(tmp, 'demo-vsix'), suiteFile, installed: vsix, screenshots: false }));
  }
  if (code === 0 && process.env.MEDSEG_KEEP_TMP !== '1') rmSync(tmp, { recursive: true, force: true });
  else log(`kept ${tmp}`);
  log(code === 0 ? 'PASS' : 'FAIL');
  return code;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`[test:vscode] ${err.stack ?? err}`);
    process.exit(2);
  },
);
