/** Finding and picking `*.medseg.yaml` configs in the workspace. */
import * as vscode from 'vscode';
import { isConfigPath } from './configPaths';

const EXCLUDE = '**/{node_modules,.git,.medseg-cache}/**';

export async function findConfigs(): Promise<vscode.Uri[]> {
  const found = await vscode.workspace.findFiles('**/*.medseg.{yaml,yml}', EXCLUDE);
  return found.sort((a, b) => a.fsPath.localeCompare(b.fsPath));
}

/** A config URI from a command argument: a `Uri`, a URI string, `{ uri }`, or an absolute path. */
export function uriFromArg(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string') return /^[a-z][a-z0-9+.-]*:/i.test(arg) && !/^[a-z]:[\\/]/i.test(arg) ? vscode.Uri.parse(arg) : vscode.Uri.file(arg);
  if (arg && typeof arg === 'object' && 'uri' in arg) return uriFromArg((arg as { uri: unknown }).uri);
  return undefined;
}

/**
 * The config a command works on: the argument, else the active medseg editor, else the only
 * config in the workspace, else the user's pick. Undefined when there is none or the pick is
 * dismissed.
 */
export async function pickConfig(arg: unknown, placeHolder = 'Which experiment config?'): Promise<vscode.Uri | undefined> {
  const given = uriFromArg(arg);
  if (given && isConfigPath(given.path)) return given;
  const active = vscode.window.activeTextEditor?.document;
  if (active && (active.languageId === 'medseg' || isConfigPath(active.uri.path))) return active.uri;
  const configs = await findConfigs();
  if (configs.length === 0) {
    const create = 'Create Example Workspace';
    void vscode.window.showWarningMessage('No *.medseg.yaml config in this workspace.', create).then((choice) => {
      if (choice === create) void vscode.commands.executeCommand('medseg.createExampleWorkspace');
    });
    return undefined;
  }
  if (configs.length === 1) return configs[0];
  const picked = await vscode.window.showQuickPick(
    configs.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })),
    { placeHolder, matchOnDescription: true },
  );
  return picked?.uri;
}
