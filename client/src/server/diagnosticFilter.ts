/**
 * Diagnostics switched off by the user: all of them (`medseg.diagnostics.enable: false`), or per
 * finding code or code prefix (`medseg.diagnostics.checks: { "split/patient-leak": false,
 * "dataset/": false }`). Plain logic over any diagnostic type, so it is tested without VS Code.
 */
export function isSwitchedOff(code: string | undefined, off: readonly string[]): boolean {
  if (code === undefined) return false;
  return off.some((o) => o === code || (o.endsWith('/') && code.startsWith(o)));
}

export function filterDiagnostics<D>(diagnostics: readonly D[], enabled: boolean, off: readonly string[], codeOf: (d: D) => string | undefined): D[] {
  if (!enabled) return [];
  if (off.length === 0) return [...diagnostics];
  return diagnostics.filter((d) => !isSwitchedOff(codeOf(d), off));
}
