/** How commands tell the user about failures: one line, with the log one click away. */
import * as vscode from 'vscode';
import { CancelledError, errorMessage, NotSupportedError } from '../server/medsegServer';

export function reportFailure(log: vscode.LogOutputChannel, what: string, err: unknown): void {
  if (err instanceof CancelledError) {
    void vscode.window.showInformationMessage(`MedSeg: ${what} was cancelled.`);
    return;
  }
  if (err instanceof NotSupportedError) {
    void vscode.window.showWarningMessage(`MedSeg: ${what} is not available: ${err.message}`);
    return;
  }
  const message = errorMessage(err);
  log.error(`${what} failed: ${err instanceof Error && err.stack ? err.stack : message}`);
  void vscode.window.showErrorMessage(`MedSeg: ${what} failed: ${message}`, 'Show Log').then((choice) => {
    if (choice) log.show(true);
  });
}

/** Model execution is off in Restricted Mode: diagnostics work, nothing is run. */
export function requireTrust(what: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window.showWarningMessage(`MedSeg: ${what} runs models, which is disabled in Restricted Mode. Trust this workspace to run it; diagnostics keep working without trust.`, 'Manage Workspace Trust').then((choice) => {
    if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
  });
  return false;
}
