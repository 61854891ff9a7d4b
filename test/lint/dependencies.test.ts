/**
 * The runtime dependencies are exactly what the shipped code imports (issue 17, item 13:
 * simple-statistics was declared and imported nowhere). Every package in `dependencies` is
 * imported by server/src or client/src (bundled into dist/, or kept external as a native); every
 * package they import is declared there, not reached through another package or devDependencies;
 * and README's "Runtime dependencies" table names each one with what it is for. Packages that only
 * tests, benchmarks or build scripts use are devDependencies.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { importedSpecifiers, packageOf } from './imports';

const ROOT = join(__dirname, '..', '..');
const SHIPPED = ['server/src', 'client/src'];
/** Provided by the host, not installed: VS Code's API. */
const HOST_MODULES = ['vscode'];
/**
 * Runtime dependencies no source imports, because a dependency finds them at run time: each with
 * why it must be there (and it ships in the VSIX: .vscodeignore, the packaging smoke test).
 */
const FOUND_AT_RUN_TIME: Record<string, string> = {
  long: "onnx-proto's protobufjs looks it up with require(): without it int64 fields decode as lossy numbers (INT64_MAX Slice ends re-encode wrongly)",
};

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) sourceFiles(p, out);
    else if (/\.(ts|mts|cts)$/.test(entry.name)) out.push(p);
  }
  return out;
}

/** Package → the shipped files that import it. */
function shippedImports(): Map<string, string[]> {
  const users = new Map<string, string[]>();
  for (const root of SHIPPED) {
    for (const file of sourceFiles(join(ROOT, root))) {
      for (const specifier of importedSpecifiers(file, readFileSync(file, 'utf8'))) {
        const pkg = packageOf(specifier);
        if (!pkg || HOST_MODULES.includes(pkg)) continue;
        if (!users.has(pkg)) users.set(pkg, []);
        users.get(pkg)!.push(relative(ROOT, file));
      }
    }
  }
  return users;
}

describe('runtime dependencies', () => {
  test('the import scanner sees every form of import', () => {
    const text = [
      "import a from 'yaml';",
      "import type { B } from '@scope/pkg/sub/path';",
      "export { c } from 'csv-parse/sync';",
      "const d = require('sharp');",
      "const e = await import('onnxruntime-node');",
      "type F = import('ajv').ErrorObject;",
      "import g from './local';",
      "import h from 'node:fs';",
    ].join('\n');
    assert.deepEqual(importedSpecifiers('x.ts', text).map(packageOf), ['yaml', '@scope/pkg', 'csv-parse', 'sharp', 'onnxruntime-node', 'ajv', undefined, undefined]);
  });

  test('every declared runtime dependency is imported by the shipped code', () => {
    const used = shippedImports();
    const unused = Object.keys(manifest.dependencies).filter((d) => !used.has(d) && !(d in FOUND_AT_RUN_TIME));
    assert.deepEqual(unused, [], 'declared in dependencies but imported by nothing in server/src or client/src: remove them, or make them devDependencies if tests or benchmarks use them');
  });

  test('a package found at run time is still needed: its finder is a runtime dependency and it is shipped', () => {
    const ignore = readFileSync(join(ROOT, '.vscodeignore'), 'utf8');
    for (const pkg of Object.keys(FOUND_AT_RUN_TIME)) {
      assert.ok(pkg in manifest.dependencies, `${pkg} is a runtime dependency`);
      assert.match(ignore, new RegExp(`^!node_modules/${pkg}/`, 'm'), `${pkg} ships in the VSIX`);
    }
  });

  test('every package the shipped code imports is a declared runtime dependency', () => {
    const undeclared = [...shippedImports()].filter(([pkg]) => !(pkg in manifest.dependencies)).map(([pkg, files]) => `${pkg} (${files[0]}${files.length > 1 ? ` and ${files.length - 1} more` : ''})${pkg in manifest.devDependencies ? ': a devDependency' : ''}`);
    assert.deepEqual(undeclared, [], 'imported by shipped code but not in dependencies');
  });

  test('README lists each runtime dependency and what it is for', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const start = readme.indexOf('\n### Runtime dependencies\n');
    assert.ok(start >= 0, 'README has a "### Runtime dependencies" section');
    const next = readme.slice(start + 1).search(/\n##/);
    const section = readme.slice(start + 1, next < 0 ? undefined : start + 1 + next);
    const rows = [...section.matchAll(/^\| `([^`]+)` \| ([^|]+) \|/gm)].map(([, name, purpose]) => ({ name, purpose: purpose.trim() }));
    assert.deepEqual(rows.map((r) => r.name).sort(), Object.keys(manifest.dependencies).sort(), 'the table names exactly the runtime dependencies');
    for (const r of rows) assert.ok(r.purpose.length >= 12, `${r.name}: say what it is for`);
  });
});
