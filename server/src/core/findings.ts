/**
 * Findings are how the engine tells a user about a problem: a value with a code, a severity and a
 * location, never a printed line. The CLI prints them compiler-style, the language server turns
 * them into diagnostics. Positions are zero-based, like LSP; front ends add one where humans read.
 */

export type Severity = 'error' | 'warning' | 'info' | 'hint';

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** A place in a file: the config itself, a CSV row, an image. `range` is absent for whole files. */
export interface Location {
  file: string;
  range?: Range;
}

/** A path into the config document, e.g. `['models', 1, 'path']`; the front end maps it to a range. */
export type ConfigPath = readonly (string | number)[];

/** Statistical evidence attached to a finding (split drift, sizes): what test, what it gave. */
export interface TestEvidence {
  test: string;
  statistic: number;
  p?: number;
  effectSize?: number;
  effectName?: string;
}

export interface RelatedLocation {
  message: string;
  location: Location;
}

export interface Finding {
  /** Stable, namespaced: `config/unknown-key`, `dataset/missing-mask`, `split/patient-leak`, … */
  code: string;
  severity: Severity;
  message: string;
  /** Where the problem is. Findings that belong to the config are located there. */
  location?: Location;
  /** The config node the finding belongs to, so an editor can place it in the config. */
  configPath?: ConfigPath;
  related?: RelatedLocation[];
  evidence?: TestEvidence;
  /** A machine-usable hint for quick fixes (e.g. `{ replacement: 'masks' }`). */
  fix?: Record<string, unknown>;
}

/**
 * An input the user must fix (unreadable image, malformed NIfTI, …). Thrown by I/O helpers and
 * caught where a loop over many inputs can turn it into a finding and go on with the others.
 */
export class InputError extends Error {
  constructor(
    readonly file: string,
    message: string,
    readonly code = 'io/unreadable',
  ) {
    super(message);
    this.name = 'InputError';
  }
}

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}

/**
 * How a run that produces results ended, for exit codes and the editor: `complete` (everything
 * asked for was done, no error), `with-errors` (results for part of it; some image, model or
 * dataset case failed or was skipped, each an error finding), `nothing` (no result at all).
 */
export type RunOutcome = 'complete' | 'with-errors' | 'nothing';

/** The outcome of a run that produced `results` results (rows, maps, models explained) with these findings. */
export function runOutcome(results: number, findings: readonly Finding[]): RunOutcome {
  if (results === 0) return 'nothing';
  return hasErrors(findings) ? 'with-errors' : 'complete';
}

const severityOrder: Record<Severity, number> = { error: 0, warning: 1, info: 2, hint: 3 };

/** Stable order for output: by file, then position, then severity, then code. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => {
    const fa = a.location?.file ?? '';
    const fb = b.location?.file ?? '';
    if (fa !== fb) return fa < fb ? -1 : 1;
    const la = a.location?.range?.start.line ?? -1;
    const lb = b.location?.range?.start.line ?? -1;
    if (la !== lb) return la - lb;
    const ca = a.location?.range?.start.character ?? -1;
    const cb = b.location?.range?.start.character ?? -1;
    if (ca !== cb) return ca - cb;
    if (a.severity !== b.severity) return severityOrder[a.severity] - severityOrder[b.severity];
    return a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
  });
}
