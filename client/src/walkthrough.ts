/**
 * The context keys the "Get started" walkthrough completes steps on (package.json
 * `completionEvents: onContext:…`). VS Code counts an onContext event only when the key changes
 * after the walkthrough registered its steps: a key that is already true then never ticks the step
 * (and the walkthrough registers lazily, when it is first shown). So the keys are set on what the
 * user does, not left standing: `medseg.configShown` is true for a moment each time a config
 * editor becomes active, and `medseg.workspaceHasConfig` turns true when a config appears.
 */
import * as vscode from 'vscode';
import { findConfigs } from './workspace/configs';

/** True for PULSE_MS each time a `*.medseg.yaml` editor becomes the active one. */
export const CONFIG_SHOWN_CONTEXT = 'medseg.configShown';
/** Set while the workspace holds a `*.medseg.yaml` (an example workspace, or the user's own). */
export const HAS_CONFIG_CONTEXT = 'medseg.workspaceHasConfig';

/** Long enough for the workbench to see the change, short enough not to be standing when the walkthrough registers. */
const PULSE_MS = 250;

export function trackWalkthroughContext(): vscode.Disposable {
  let pulse: NodeJS.Timeout | undefined;
  const shown = (editor: vscode.TextEditor | undefined) => {
    if (editor?.document.languageId !== 'medseg') return;
    clearTimeout(pulse);
    void vscode.commands.executeCommand('setContext', CONFIG_SHOWN_CONTEXT, true);
    pulse = setTimeout(() => void vscode.commands.executeCommand('setContext', CONFIG_SHOWN_CONTEXT, false), PULSE_MS);
  };
  const refreshHasConfig = () =>
    void findConfigs().then(
      (configs) => vscode.commands.executeCommand('setContext', HAS_CONFIG_CONTEXT, configs.length > 0),
      () => undefined,
    );
  refreshHasConfig();
  const watcher = vscode.workspace.createFileSystemWatcher('**/*.medseg.{yaml,yml}', false, true, false);
  return vscode.Disposable.from(
    vscode.window.onDidChangeActiveTextEditor(shown),
    watcher,
    watcher.onDidCreate(refreshHasConfig),
    watcher.onDidDelete(refreshHasConfig),
    vscode.workspace.onDidChangeWorkspaceFolders(refreshHasConfig),
    { dispose: () => clearTimeout(pulse) },
  );
}
