export { DiagnosticsScheduler, validationKey, type Reason } from './scheduler';
export { toDiagnostics, configRangeOf, type DiagnosticData } from './toDiagnostics';
export { docsHref, docsAnchor, DIAGNOSTICS_DOC_URL } from './docsLink';
