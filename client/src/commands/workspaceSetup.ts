/** Select Execution Provider, Create Example Workspace and the walkthrough's Open Example Config. */
import * as vscode from 'vscode';
import { nodeScriptPath } from '../extensionPaths';
import { runJob } from '../jobs/runJob';
import { runNodeScript } from '../jobs/nodeScript';
import type { ProviderChoice } from '../../../server/src/protocol';
import { readSettings, setProvider } from '../settings';
import { findConfigs } from '../workspace/configs';
import { reportFailure } from './feedback';
import type { Services } from './services';

export async function selectProvider(s: Services, arg?: unknown): Promise<ProviderChoice | undefined> {
  const current = readSettings().provider;
  const options: { label: string; provider: ProviderChoice; detail: string }[] = [
    { label: 'auto', provider: 'auto', detail: 'CUDA when its libraries load, else WebGPU, else CPU; the run reports which one it used' },
    { label: 'CPU', provider: 'cpu', detail: 'always available; set threads in medseg.runtime.threads' },
    { label: 'CUDA', provider: 'cuda', detail: 'NVIDIA GPU; needs the CUDA provider of onnxruntime-node (see the README)' },
    { label: 'WebGPU', provider: 'webgpu', detail: 'a GPU through WebGPU, where the machine has an adapter' },
  ];
  let provider = typeof arg === 'string' && options.some((o) => o.provider === arg) ? (arg as ProviderChoice) : undefined;
  if (!provider) {
    const picked = await vscode.window.showQuickPick(
      options.map((o) => ({ ...o, description: o.provider === current ? 'current' : undefined })),
      { placeHolder: 'Execution provider for model inference' },
    );
    provider = picked?.provider;
  }
  if (!provider) return undefined;
  await setProvider(provider);
  s.statusBar.setLastProvider(undefined);
  return provider;
}

interface ExampleArg {
  folder?: string;
  /** Open the written config (default true). */
  open?: boolean;
}

export async function createExampleWorkspace(s: Services, arg?: unknown): Promise<string | undefined> {
  const a = (arg && typeof arg === 'object' ? arg : {}) as ExampleArg;
  let target = a.folder;
  if (!target) {
    const parent = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: 'Write the example here', title: 'Folder for the MedSeg example workspace (a medseg-demo folder is created in it)', defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri });
    if (!parent?.[0]) return undefined;
    target = vscode.Uri.joinPath(parent[0], 'medseg-demo').fsPath;
  }
  const folder = target;
  try {
    const r = await runJob(s.statusBar, 'writing the example workspace', (report, token) =>
      runNodeScript(nodeScriptPath(s.context, 'demo'), [folder], { log: s.log, token, onLine: (line) => line.startsWith('==') && report(line.replace(/^==\s*/, ''), undefined) }),
    );
    if (r.cancelled) return undefined;
    if (r.code !== 0) throw new Error(r.stderr.trim().split('\n').slice(-3).join(' ') || `demo exited with ${r.code}`);
  } catch (err) {
    reportFailure(s.log, 'writing the example workspace', err);
    return undefined;
  }
  s.log.info(`example workspace written to ${folder}`);
  if (a.open !== false) void offerToOpen(vscode.Uri.file(folder));
  return folder;
}

async function offerToOpen(folder: vscode.Uri): Promise<void> {
  const inside = vscode.workspace.getWorkspaceFolder(folder);
  const config = vscode.Uri.joinPath(folder, 'dermoscopy', 'dermoscopy.medseg.yaml');
  if (inside) {
    await vscode.window.showTextDocument(config);
    return;
  }
  const choice = await vscode.window.showInformationMessage(`MedSeg: example workspace written to ${folder.fsPath}.`, 'Open Folder', 'Add to Workspace');
  if (choice === 'Open Folder') await vscode.commands.executeCommand('vscode.openFolder', folder);
  else if (choice === 'Add to Workspace') {
    vscode.workspace.updateWorkspaceFolders(vscode.workspace.workspaceFolders?.length ?? 0, 0, { uri: folder });
    await vscode.window.showTextDocument(config);
  }
}

/** The walkthrough's "open its config": the demo's dermoscopy config, else the first config. */
export async function openExampleConfig(): Promise<void> {
  const configs = await findConfigs();
  const config = configs.find((c) => c.path.endsWith('/dermoscopy.medseg.yaml')) ?? configs[0];
  if (config) await vscode.window.showTextDocument(config);
  else void vscode.window.showWarningMessage('MedSeg: no *.medseg.yaml in this workspace yet. Run "MedSeg: Create Example Workspace" first.');
}
