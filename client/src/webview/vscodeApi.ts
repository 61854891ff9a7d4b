/** The webview side of the host channel: `acquireVsCodeApi` may be called once per page. */
interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

let api: VsCodeApi | undefined;

export function vscodeApi(): VsCodeApi {
  api ??= acquireVsCodeApi();
  return api;
}

/** Reports Content-Security-Policy violations to the host, which logs them. */
export function reportCspViolations(post: (message: { type: 'cspViolation'; directive: string; blocked: string }) => void): void {
  document.addEventListener('securitypolicyviolation', (e) => post({ type: 'cspViolation', directive: e.violatedDirective, blocked: e.blockedURI || 'inline' }));
}
