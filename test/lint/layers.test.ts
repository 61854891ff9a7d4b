/**
 * The layers of ARCHITECTURE.md, checked on every import (issue 17, item 11): the engine
 * (server/src/core) imports nothing of its callers — not client/, server/src/lsp or
 * server/src/cli — only itself, the neutral server/src/protocol (the wire and view-model types
 * both sides share), the schema, package.json and packages, never `vscode*`; server/src/protocol
 * imports nothing outside itself (plain data for the webviews, the extension and the server
 * alike); the language server and the CLI import no client code; the client reaches the server
 * only through server/src/protocol.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, test } from 'node:test';
import { importedSpecifiers, packageOf } from './imports';

const ROOT = join(__dirname, '..', '..');

interface Layer {
  /** Folder of the layer, relative to the repository. */
  folder: string;
  /** Where its relative imports may lead (folders or files, relative to the repository). */
  may: string[];
  /** Packages it must not import; `*` for all of them (and node: builtins). */
  packagesRefused: string[] | '*';
}

const LAYERS: Layer[] = [
  { folder: 'server/src/core', may: ['server/src/core', 'server/src/protocol', 'schemas', 'package.json'], packagesRefused: ['vscode', 'vscode-languageserver', 'vscode-languageserver-textdocument', 'vscode-languageclient', 'vscode-jsonrpc'] },
  { folder: 'server/src/protocol', may: ['server/src/protocol'], packagesRefused: '*' },
  { folder: 'server/src/lsp', may: ['server/src/lsp', 'server/src/core', 'server/src/protocol', 'schemas', 'package.json'], packagesRefused: ['vscode', 'vscode-languageclient'] },
  { folder: 'server/src/cli', may: ['server/src/cli', 'server/src/core', 'server/src/protocol', 'server/src/demo', 'schemas', 'package.json'], packagesRefused: ['vscode', 'vscode-languageserver', 'vscode-languageclient'] },
  { folder: 'client/src', may: ['client/src', 'server/src/protocol', 'package.json', 'media'], packagesRefused: ['vscode-languageserver', 'onnxruntime-node', 'sharp', 'onnx-proto'] },
];

function within(path: string, folder: string): boolean {
  const rel = relative(join(ROOT, folder), path);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && !rel.includes(`..${sep}`));
}

/** `file: specifier (why)` for every import of `file` its layer forbids. */
export function layerViolations(layer: Layer, file: string, text: string): string[] {
  const out: string[] = [];
  for (const specifier of importedSpecifiers(file, text)) {
    const where = `${relative(ROOT, file)}: ${specifier}`;
    if (specifier.startsWith('.')) {
      const target = resolve(dirname(file), specifier);
      if (!layer.may.some((f) => within(target, f) || within(`${target}.ts`, f))) out.push(`${where} (leaves ${layer.folder} for ${relative(ROOT, target)})`);
      continue;
    }
    if (layer.packagesRefused === '*') {
      out.push(`${where} (${layer.folder} imports nothing outside itself)`);
      continue;
    }
    const pkg = packageOf(specifier);
    if (pkg && layer.packagesRefused.includes(pkg)) out.push(`${where} (${pkg} is not for ${layer.folder})`);
  }
  return out;
}

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) sourceFiles(p, out);
    else if (entry.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

describe('layers', () => {
  test('the check catches an engine module importing the client, the language server or the CLI', () => {
    const core = LAYERS[0];
    const file = join(ROOT, 'server/src/core/report/example.ts');
    const text = [
      "import type { ReportData } from '../../../../client/src/webview/charts';",
      "import { x } from '../../lsp/server';",
      "const y = require('../../cli/main');",
      "type Z = import('../../../../client/src/extension').MedsegApi;",
      "import { ok } from '../../protocol/reportData';",
      "import { alsoOk } from '../util/arrays';",
      "import schema from '../../../../schemas/medseg.schema.json';",
      "import * as vscode from 'vscode';",
    ].join('\n');
    assert.deepEqual(
      layerViolations(core, file, text).map((v) => v.replace(/ \(.*$/, '')),
      ['server/src/core/report/example.ts: ../../../../client/src/webview/charts', 'server/src/core/report/example.ts: ../../lsp/server', 'server/src/core/report/example.ts: ../../cli/main', 'server/src/core/report/example.ts: ../../../../client/src/extension', 'server/src/core/report/example.ts: vscode'],
    );
    assert.deepEqual(layerViolations(LAYERS[1], join(ROOT, 'server/src/protocol/x.ts'), "import { y } from './reportData';\nimport { z } from 'node:fs';"), ['server/src/protocol/x.ts: node:fs (server/src/protocol imports nothing outside itself)']);
  });

  for (const layer of LAYERS) {
    test(`${layer.folder} imports only what its layer may`, () => {
      const violations = sourceFiles(join(ROOT, layer.folder)).flatMap((file) => layerViolations(layer, file, readFileSync(file, 'utf8')));
      assert.deepEqual(violations, []);
    });
  }
});
