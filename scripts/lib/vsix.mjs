// Builds the per-platform VSIX. What ships is decided by .vscodeignore alone; this only makes vsce
// fast: run in the repository, vsce lists every production dependency (≈270,000 files, since most
// are bundled into dist/ and then ignored) and matches each against the ignore list, which takes
// minutes. So we stage the shipped top-level entries plus just the node_modules packages that
// .vscodeignore re-includes (`!node_modules/<pkg>/…`), and run vsce there with the same ignore
// file. For a target other than linux-x64, the ignore file's platform lines are rewritten
// (`linux/x64` → `<os>/<arch>`, `linux-x64` → the target), and the natives must be installed for
// that platform (run `npm ci` on it).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const TOP_LEVEL = ['package.json', 'README.md', 'LICENSE', 'LICENSE.md', 'CHANGELOG.md', 'language-configuration.json', 'dist', 'media', 'syntaxes', 'schemas'];

export const TARGETS = ['linux-x64', 'linux-arm64', 'alpine-x64', 'alpine-arm64', 'darwin-x64', 'darwin-arm64', 'win32-x64', 'win32-arm64'];

/** The ignore file for a target: the linux-x64 platform lines rewritten. */
export function ignoreFileFor(text, target) {
  if (target === 'linux-x64') return text;
  const [os, arch] = target.split('-');
  const ortOs = os === 'alpine' ? 'linux' : os; // onnxruntime ships one linux build (glibc)
  const sharpPlatform = os === 'alpine' ? `linuxmusl-${arch}` : target;
  return text.replace(/napi-v6\/linux\/x64/g, `napi-v6/${ortOs}/${arch}`).replace(/@img\/sharp-\*linux-x64/g, `@img/sharp-*${sharpPlatform}`);
}

/** Package folders named by `!node_modules/<pkg>/…` lines (`@scope/name` or `name`, globs allowed). */
export function reincludedPackages(ignoreText) {
  const out = new Set();
  for (const line of ignoreText.split(/\r?\n/)) {
    const m = /^!node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(line.trim());
    if (m) out.add(m[1]);
  }
  return [...out];
}

function expandPackage(root, pattern) {
  if (!pattern.includes('*')) return existsSync(join(root, 'node_modules', pattern)) ? [pattern] : [];
  const [scope, name] = pattern.startsWith('@') ? pattern.split('/') : [undefined, pattern];
  const dir = scope ? join(root, 'node_modules', scope) : join(root, 'node_modules');
  if (!existsSync(dir)) return [];
  const re = new RegExp(`^${name.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
  return readdirSync(dir)
    .filter((n) => re.test(n))
    .map((n) => (scope ? `${scope}/${n}` : n));
}

function stagedPackages(stage) {
  const dir = join(stage, 'node_modules');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => (n.startsWith('@') ? readdirSync(join(dir, n)).map((m) => `${n}/${m}`) : [n]));
}

/**
 * A staged package may declare dependencies that only its install script uses (onnxruntime-node:
 * adm-zip and global-agent download CUDA libraries). They are not shipped; drop them from the
 * staged manifest so npm (and so vsce) sees a consistent tree. The smoke test proves the rest loads.
 */
function dropUnstagedDependencies(stage, log) {
  const staged = new Set(stagedPackages(stage));
  for (const pkg of staged) {
    const file = join(stage, 'node_modules', pkg, 'package.json');
    const json = JSON.parse(readFileSync(file, 'utf8'));
    const dropped = Object.keys(json.dependencies ?? {}).filter((d) => !staged.has(d));
    if (dropped.length === 0) continue;
    for (const d of dropped) delete json.dependencies[d];
    delete json.scripts;
    writeFileSync(file, JSON.stringify(json, null, 2) + '\n');
    log(`not shipped (install-time only): ${dropped.join(', ')} of ${pkg}`);
  }
}

function hostTarget() {
  const os = process.platform === 'linux' && spawnSync('ldd', ['--version'], { encoding: 'utf8' }).stdout?.toLowerCase().includes('musl') ? 'alpine' : process.platform;
  return `${os}-${process.arch}`;
}

/** The staged natives load on their own (no fallback to the repository's node_modules). */
function smokeTest(stage) {
  // long too: protobufjs finds it at run time by require(), so nothing at build time would notice it missing.
  const code = "const sharp = require('sharp'); const ort = require('onnxruntime-node'); const Long = require('long'); if (typeof sharp !== 'function' || !ort.InferenceSession || !Long.fromBits) throw new Error('bad exports'); console.log('natives load: sharp', sharp.versions.vips, '· onnxruntime-node', require('onnxruntime-node/package.json').version, '· long', Long.name || 'Long');";
  const r = spawnSync(process.execPath, ['-e', code], { cwd: stage, encoding: 'utf8', env: { ...process.env, NODE_PATH: '' } });
  if (r.status !== 0) throw new Error(`the staged native modules do not load:\n${r.stderr}`);
  process.stdout.write(r.stdout);
}

/**
 * The Marketplace and the Extensions view need a PNG icon; media/icon.svg is its one source, so
 * the PNG (ICON_SIZE px) is drawn from it into the staging folder, never kept beside it.
 */
export const ICON_SIZE = 256;
export async function writeIcon(root, stage, manifest) {
  if (!manifest.icon) throw new Error('package.json names no `icon`');
  const svg = join(root, manifest.icon.replace(/\.png$/, '.svg'));
  if (!existsSync(svg)) throw new Error(`${svg} is missing: the icon is drawn from it`);
  const { default: sharp } = await import('sharp');
  const out = join(stage, manifest.icon);
  mkdirSync(join(out, '..'), { recursive: true });
  // The SVG is drawn at the density that makes its 32-unit view box ICON_SIZE pixels: sharp, not a scaled-up bitmap.
  await sharp(readFileSync(svg), { density: (72 * ICON_SIZE) / 32 }).resize(ICON_SIZE, ICON_SIZE).png().toFile(out);
  return out;
}

export async function packageVsix({ root, target = 'linux-x64', out, log = console.log }) {
  if (!TARGETS.includes(target)) throw new Error(`unknown target ${target}; one of ${TARGETS.join(', ')}`);
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const ignore = ignoreFileFor(readFileSync(join(root, '.vscodeignore'), 'utf8'), target);
  const stage = mkdtempSync(join(tmpdir(), 'medseg-vsix-'));
  try {
    for (const entry of TOP_LEVEL) if (existsSync(join(root, entry))) cpSync(join(root, entry), join(stage, entry), { recursive: true });
    writeFileSync(join(stage, '.vscodeignore'), ignore);
    // Everything but the natives is bundled: the shipped manifest declares no dependencies, and the
    // staged node_modules holds only the re-included packages (npm lists them as extraneous).
    const shipped = { ...manifest };
    delete shipped.dependencies;
    delete shipped.devDependencies;
    delete shipped.scripts;
    delete shipped.bin;
    writeFileSync(join(stage, 'package.json'), JSON.stringify(shipped, null, 2) + '\n');
    const missing = [];
    for (const pattern of reincludedPackages(ignore)) {
      const found = expandPackage(root, pattern);
      if (found.length === 0) missing.push(pattern);
      for (const pkg of found) {
        mkdirSync(join(stage, 'node_modules', pkg, '..'), { recursive: true });
        cpSync(join(root, 'node_modules', pkg), join(stage, 'node_modules', pkg), { recursive: true });
      }
    }
    if (missing.length) throw new Error(`not installed for ${target}: ${missing.join(', ')} (run \`npm ci\` on a ${target} machine)`);
    dropUnstagedDependencies(stage, log);
    await writeIcon(root, stage, manifest);
    if (target === hostTarget()) smokeTest(stage);
    const file = resolve(out ?? join(root, `${manifest.name}-${manifest.version}-${target}.vsix`));
    const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
    // README links stay relative: VS Code shows the README from the VSIX, screenshots included.
    // LICENSE is at the top level of the stage: vsce ships it (as LICENSE.txt) and checks it is there.
    const r = spawnSync(process.execPath, [vsce, 'package', '--target', target, '--no-rewrite-relative-links', '--out', file], { cwd: stage, stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`vsce package failed (${r.status ?? r.signal})`);
    log(`wrote ${file}`);
    return file;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}
