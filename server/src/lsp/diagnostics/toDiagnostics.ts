/**
 * Findings → LSP diagnostics for one config document. Findings located elsewhere (an image, a CSV
 * row) are attached to the config node they belong to, with the other place as related
 * information; every diagnostic links to the docs section of its code.
 */
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver/node';
import type { ParsedConfig } from '../../core/config';
import type { Finding, Range } from '../../core/findings';
import { docsHref } from './docsLink';

const severity: Record<Finding['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

const TOP: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** What a code action needs to fix a diagnostic, carried in `Diagnostic.data`. */
export interface DiagnosticData {
  configPath?: (string | number)[];
  fix?: Record<string, unknown>;
}

/** The range of a finding's config node in the current text (key for unknown keys, else value). */
export function configRangeOf(parsed: ParsedConfig, f: Finding): Range | undefined {
  if (!f.configPath) return undefined;
  return parsed.document.rangeOf(f.configPath, f.code === 'config/unknown-key' ? 'key' : 'value');
}

/** The message, with the statistical evidence appended when the message does not already state it. */
function messageOf(f: Finding): string {
  const e = f.evidence;
  if (!e || f.message.includes(e.test)) return f.message;
  const p = e.p !== undefined ? `, p = ${e.p < 1e-4 ? e.p.toExponential(1) : e.p.toPrecision(2)}` : '';
  return `${f.message} (${e.test}: ${Number(e.statistic.toPrecision(4))}${p})`;
}

export function toDiagnostics(findings: readonly Finding[], parsed: ParsedConfig): Diagnostic[] {
  const configFile = parsed.document.file;
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const f of findings) {
    const inConfig = f.location?.file === configFile;
    const range = (inConfig ? f.location?.range : undefined) ?? configRangeOf(parsed, f) ?? TOP;
    const related = [...(f.related ?? [])];
    if (f.location && !inConfig) related.unshift({ message: basename(f.location.file), location: f.location });
    const data: DiagnosticData = { ...(f.configPath ? { configPath: [...f.configPath] } : {}), ...(f.fix ? { fix: f.fix } : {}) };
    const diagnostic: Diagnostic = {
      range,
      severity: severity[f.severity],
      code: f.code,
      codeDescription: { href: docsHref(f.code) },
      source: 'medseg',
      message: messageOf(f),
      ...(related.length > 0
        ? {
            relatedInformation: related.map((r) => ({
              message: r.message,
              location: { uri: pathToFileURL(r.location.file).toString(), range: r.location.range ?? TOP },
            })),
          }
        : {}),
      ...(Object.keys(data).length > 0 ? { data } : {}),
    };
    // The same finding can reach the list twice (a fast pass and the image pass): show it once.
    const key = JSON.stringify([diagnostic.code, diagnostic.message, diagnostic.range]);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(diagnostic);
  }
  return out;
}
