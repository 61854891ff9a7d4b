/**
 * No array spread into a call anywhere in the sources (issue 13, item 8). `f(...list)` passes every
 * element as an argument on the stack: at around 120,000 elements V8 throws `RangeError: Maximum
 * call stack size exceeded` (a config with a 200,000-entry `label_columns` did, through
 * `findings.push(...many)`). Lists go through loops or `pushAll` / `maxOf` / `minOf`
 * (server/src/core/util/arrays.ts; the client's `appendAll` / `setChildren` in webview/dom.ts).
 *
 * Allowed, because the argument count is fixed by the text: spreading an array literal, and
 * forwarding a function's own rest parameter (`(...args) => f(...args)`). `fn.apply(this, list)`
 * and `Reflect.apply` are the same fault and are refused as well.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import ts from 'typescript';

const ROOT = join(__dirname, '..', '..');
const SOURCE_ROOTS = ['server/src', 'client/src', 'scripts', 'bench'];

function isRestParameterOfEnclosingFunction(id: ts.Identifier): boolean {
  for (let n: ts.Node | undefined = id.parent; n; n = n.parent) {
    if (ts.isFunctionLike(n)) {
      const rest = n.parameters.find((p) => p.dotDotDotToken && ts.isIdentifier(p.name) && p.name.text === id.text);
      if (rest) return true;
    }
  }
  return false;
}

function spreadIsBounded(spread: ts.SpreadElement): boolean {
  const e = spread.expression;
  if (ts.isArrayLiteralExpression(e)) return true;
  return ts.isIdentifier(e) && isRestParameterOfEnclosingFunction(e);
}

/** `file:line: text` of every unbounded spread into a call and every `.apply(thisArg, list)` / `Reflect.apply`. */
export function callSpreads(fileName: string, text: string): string[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const report = (node: ts.Node) => out.push(`${fileName}:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}: ${node.getText(sf).split('\n')[0].slice(0, 100)}`);
  const visit = (node: ts.Node) => {
    if (ts.isSpreadElement(node) && (ts.isCallExpression(node.parent) || ts.isNewExpression(node.parent)) && !spreadIsBounded(node)) report(node.parent);
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'apply') {
      const target = node.expression.expression;
      if ((ts.isIdentifier(target) && target.text === 'Reflect') || node.arguments.length === 2) report(node);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && !entry.name.startsWith('.')) sourceFiles(p, out);
    } else if (/\.(ts|mts|cts|js|mjs|cjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

describe('no unbounded spread or apply into a call (issue 13, item 8)', () => {
  test('the checker finds the patterns that overflowed and lets the bounded ones pass', () => {
    const bad = [
      'findings.push(...many);',
      'const w = Math.max(...rows.map((r) => r.length));',
      'const s = String.fromCharCode(...bytes);',
      'parent.replaceChildren(...nodes);',
      'new Set(...lists);',
      'f.apply(null, values);',
      'Reflect.apply(f, undefined, values);',
    ].join('\n');
    assert.deepEqual(
      callSpreads('bad.ts', bad).map((l) => l.split(':')[1]),
      ['1', '2', '3', '4', '5', '6', '7'],
    );
    const good = [
      'f(...[a, b]);',
      'const g = (...args: unknown[]) => f(...args);',
      'function h(x: number, ...rest: number[]) { return k(x, ...rest); }',
      'const all = [...a, ...b];',
      'const o = { ...p };',
      'counts.apply(g, best, 1);', // a method named apply with its own arity, not Function.prototype.apply
      'pushAll(findings, many);',
    ].join('\n');
    assert.deepEqual(callSpreads('good.ts', good), []);
  });

  test('server/src, client/src, scripts and bench have none', () => {
    const found: string[] = [];
    for (const root of SOURCE_ROOTS) {
      for (const file of sourceFiles(join(ROOT, root))) for (const hit of callSpreads(relative(ROOT, file), readFileSync(file, 'utf8'))) found.push(hit);
    }
    assert.deepEqual(found, [], 'spread a list into a call only through pushAll/maxOf/minOf (core/util/arrays.ts) or appendAll/setChildren (client/src/webview/dom.ts)');
  });
});
