// Installs what the real-VS-Code suite needs, once, into a cache outside node_modules:
// Debian chromium + ripgrep (+ krb5 headers for code-server's native kerberos module) via apt, and
// code-server@4.100.3 (VS Code 1.100.3 web + server, runs on Node 20) via npm.
// Why code-server: no desktop VS Code can be downloaded here; its npm package carries the real
// VS Code server with a Node extension host, which is what the extension runs in anyway.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, copyFileSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const CODE_SERVER_VERSION = '4.100.3';
// @vscode/ripgrep (a code-server dependency) downloads rg from GitHub in its postinstall; it first
// looks in this cache, which we pre-seed with Debian's rg.
const RIPGREP_PKG_VERSION = '1.15.11';
const RIPGREP_ASSET = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';

export function cacheRoot() {
  return process.env.MEDSEG_VSCODE_WEB_CACHE || join(homedir(), '.cache', 'medseg-vscode-web');
}

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...options });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with ${r.status ?? r.signal}`);
}

function onPath(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

export function chromiumPath() {
  return process.env.CHROME || '/usr/bin/chromium';
}

/** apt-get install of chromium, ripgrep and libkrb5-dev when one is missing (CI runs as root). */
export function ensureSystemPackages(log) {
  const missing = [];
  if (!existsSync(chromiumPath())) missing.push('chromium');
  if (!onPath('rg')) missing.push('ripgrep');
  if (!existsSync(codeServerMain()) && !existsSync('/usr/include/gssapi/gssapi.h')) missing.push('libkrb5-dev');
  if (missing.length === 0) return;
  log(`installing ${missing.join(', ')} with apt-get`);
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run(sudo[0] ?? 'apt-get', [...sudo.slice(1), ...(sudo.length ? ['apt-get'] : []), 'update', '-qq'], { env });
  run(sudo[0] ?? 'apt-get', [...sudo.slice(1), ...(sudo.length ? ['apt-get'] : []), 'install', '-y', '-qq', ...missing], { env });
}

export function codeServerDir() {
  return join(cacheRoot(), `code-server-${CODE_SERVER_VERSION}`);
}

/** The plain VS Code server inside code-server: accepts VS Code's own server flags. */
export function codeServerMain() {
  return join(codeServerDir(), 'node_modules', 'code-server', 'lib', 'vscode', 'out', 'server-main.js');
}

/** npm install code-server into the cache, unless a complete install is already there. */
export function ensureCodeServer(log) {
  const dir = codeServerDir();
  const done = join(dir, '.installed');
  if (existsSync(done) && existsSync(codeServerMain())) return;
  log(`installing code-server@${CODE_SERVER_VERSION} into ${dir} (first run only, about a minute)`);
  rmSync(dir, { recursive: true, force: true });
  const tmp = join(cacheRoot(), 'tmp');
  const seed = join(tmp, `vscode-ripgrep-cache-${RIPGREP_PKG_VERSION}`);
  const rgDir = join(tmp, 'rgpkg');
  mkdirSync(dir, { recursive: true });
  mkdirSync(seed, { recursive: true });
  mkdirSync(rgDir, { recursive: true });
  const rg = spawnSync('sh', ['-c', 'command -v rg'], { encoding: 'utf8' }).stdout.trim() || '/usr/bin/rg';
  copyFileSync(rg, join(rgDir, 'rg'));
  run('tar', ['czf', join(seed, RIPGREP_ASSET), '-C', rgDir, 'rg']);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'medseg-vscode-web', private: true }) + '\n');
  run('npm', ['install', `code-server@${CODE_SERVER_VERSION}`, '--no-audit', '--no-fund', '--foreground-scripts', '--loglevel=error'], {
    cwd: dir,
    env: {
      ...process.env,
      TMPDIR: tmp,
      // code-server's postinstall refuses to run as root without it.
      npm_config_unsafe_perm: 'true',
      // node-pty's install runs `npx node-gyp`; npx must not ask.
      npm_config_yes: 'true',
    },
  });
  if (!existsSync(codeServerMain())) throw new Error(`code-server installed but ${codeServerMain()} is missing`);
  writeFileSync(done, `${new Date().toISOString()}\n`);
}

export function codeServerVersion() {
  const pkg = join(codeServerDir(), 'node_modules', 'code-server', 'lib', 'vscode', 'package.json');
  return existsSync(pkg) ? JSON.parse(readFileSync(pkg, 'utf8')).version : undefined;
}
