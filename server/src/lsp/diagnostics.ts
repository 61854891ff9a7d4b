/** Findings → LSP diagnostics for one config document. Findings located elsewhere (an image, a CSV row) are attached to the config node they belong to, with the other place as related information. */
import { pathToFileURL } from 'node:url';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver/node';
import type { Finding, Range } from '../core/findings';

const severity: Record<Finding['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

const TOP: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } };

export function toDiagnostics(findings: readonly Finding[], configFile: string, configRangeOf?: (f: Finding) => Range | undefined): Diagnostic[] {
  return findings.map((f) => {
    const inConfig = f.location?.file === configFile;
    const range = (inConfig ? f.location?.range : configRangeOf?.(f)) ?? TOP;
    const related = [...(f.related ?? [])];
    if (!inConfig && f.location) related.unshift({ message: 'here', location: f.location });
    return {
      range,
      severity: severity[f.severity],
      code: f.code,
      source: 'medseg',
      message: f.message,
      relatedInformation: related.map((r) => ({
        message: r.message,
        location: { uri: pathToFileURL(r.location.file).toString(), range: r.location.range ?? TOP },
      })),
    };
  });
}
