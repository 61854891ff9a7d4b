/** What the tests share: the extension's API and the demo workspace the driver opened. */
import * as vscode from 'vscode';
import type { MedsegApi } from '../../../client/src/extension';

export const EXTENSION_ID = 'medseg-eval.medseg-eval';

export async function medsegApi(): Promise<MedsegApi> {
  const ext = vscode.extensions.getExtension<MedsegApi>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not loaded`);
  const api = ext.isActive ? ext.exports : await ext.activate();
  await api.ready;
  return api;
}

/** The demo written by `node dist/demo.js <folder>`: the workspace folder itself. */
export function demoRoot(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the suite needs the demo folder open as the workspace');
  return folder.uri;
}

export function dermoscopyConfig(clean = false): vscode.Uri {
  return vscode.Uri.joinPath(demoRoot(), 'dermoscopy', clean ? 'dermoscopy-clean.medseg.yaml' : 'dermoscopy.medseg.yaml');
}

/** Shared between tests that build on each other (evaluation → preview → dashboard). */
export const state: { outputDir?: string } = {};

export async function quietWorkbench(): Promise<void> {
  for (const command of ['notifications.clearAll', 'workbench.action.closePanel', 'workbench.action.closeSidebar', 'workbench.action.closeAuxiliaryBar']) {
    await vscode.commands.executeCommand(command).then(
      () => undefined,
      () => undefined,
    );
  }
}
