/** Every diagnostic links to the section of docs/diagnostics.md that explains its code and the fix. */
export const DIAGNOSTICS_DOC_URL = 'https://github.com/medseg-eval/medseg-eval/blob/main/docs/diagnostics.md';

/** `split/patient-leak` → `split-patient-leak` (the anchor docs/diagnostics.md declares). */
export function docsAnchor(code: string): string {
  return code
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

export function docsHref(code: string): string {
  return `${DIAGNOSTICS_DOC_URL}#${docsAnchor(code)}`;
}
