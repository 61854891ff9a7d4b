/** Compiler-style text for findings: `path:line:col: severity: message [code]`, as editors' problem matchers expect. */
import { relative } from 'node:path';
import type { Finding } from '../core/findings';

export function displayPath(file: string, cwd = process.cwd()): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith('..') ? rel : file;
}

export function formatFinding(f: Finding, cwd = process.cwd()): string {
  const file = f.location ? displayPath(f.location.file, cwd) : '<config>';
  const start = f.location?.range?.start ?? { line: 0, character: 0 };
  let line = `${file}:${start.line + 1}:${start.character + 1}: ${f.severity}: ${f.message} [${f.code}]`;
  if (f.evidence) {
    const e = f.evidence;
    const p = e.p === undefined ? '' : `, p = ${formatP(e.p)}`;
    const effect = e.effectSize === undefined ? '' : `, ${e.effectName ?? 'effect'} = ${e.effectSize.toFixed(3)}`;
    if (!f.message.includes(e.test)) line += `\n    ${e.test}: statistic = ${e.statistic.toPrecision(4)}${p}${effect}`;
  }
  for (const r of f.related ?? []) {
    const rs = r.location.range?.start ?? { line: 0, character: 0 };
    line += `\n    ${displayPath(r.location.file, cwd)}:${rs.line + 1}:${rs.character + 1}: note: ${r.message}`;
  }
  return line;
}

export function formatP(p: number): string {
  if (p < 1e-4) return p.toExponential(1);
  return p.toPrecision(2);
}

export function countBySeverity(findings: readonly Finding[]): Record<'error' | 'warning' | 'info' | 'hint', number> {
  const out = { error: 0, warning: 0, info: 0, hint: 0 };
  for (const f of findings) out[f.severity]++;
  return out;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
