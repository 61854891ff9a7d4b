/** Registers every `medseg.*` command; each one lives in the module of its capability. */
import * as vscode from 'vscode';
import { runEvaluation, runValidation } from './evaluate';
import { openPreview } from './preview';
import { exportReport, openDashboard, runStressTest, showUmap } from './results';
import type { Services } from './services';
import { generateSplit } from './splits';
import { createExampleWorkspace, openExampleConfig, selectProvider } from './workspaceSetup';

export type { Services } from './services';

export function registerCommands(s: Services): vscode.Disposable[] {
  const commands: Record<string, (arg?: unknown) => unknown> = {
    'medseg.evaluate': (arg) => runEvaluation(s, arg),
    'medseg.validate': (arg) => runValidation(s, arg),
    // Not `medseg.generateSplit`: that id is the server's code-action command (workspace/executeCommand),
    // which the language client registers itself.
    'medseg.proposeSplit': (arg) => generateSplit(s, arg),
    'medseg.openPreview': (arg) => openPreview(s, arg),
    'medseg.openDashboard': (arg) => openDashboard(s, arg),
    'medseg.showUmap': (arg) => showUmap(s, arg),
    'medseg.showGradcam': (arg) => openPreview(s, arg, 'heatmap'),
    'medseg.stressTest': (arg) => runStressTest(s, arg),
    'medseg.exportReport': (arg) => exportReport(s, arg),
    'medseg.selectProvider': (arg) => selectProvider(s, arg),
    'medseg.createExampleWorkspace': (arg) => createExampleWorkspace(s, arg),
    'medseg.openExampleConfig': () => openExampleConfig(),
    'medseg.showLog': () => s.log.show(true),
    'medseg.restartServer': () => s.server.languageClient.restart(),
  };
  return Object.entries(commands).map(([id, run]) => vscode.commands.registerCommand(id, run));
}
