/** Open Results Dashboard, Show UMAP, Run Stress Test and Export Report. */
import * as vscode from 'vscode';
import { runJob } from '../jobs/runJob';
import { StressTestRequestMethod, UmapRequestMethod, type StressTestResult, type UmapResult } from '../../../server/src/protocol';
import { readSettings } from '../settings';
import { pickConfig } from '../workspace/configs';
import { splitFromArg } from './evaluate';
import { reportFailure, requireTrust } from './feedback';
import type { Services } from './services';

export async function openDashboard(s: Services, arg?: unknown): Promise<void> {
  const config = await pickConfig(arg, 'Results of which config?');
  if (config) await s.dashboards.show(config);
}

export async function showUmap(s: Services, arg?: unknown): Promise<UmapResult | undefined> {
  if (!requireTrust('Show UMAP')) return undefined;
  const config = await pickConfig(arg, 'UMAP of which config?');
  if (!config) return undefined;
  try {
    const result = await runJob(s.statusBar, 'computing the UMAP embedding', (report, token) => s.server.requestWithProgress<UmapResult>(UmapRequestMethod, { uri: config.toString() }, report, token));
    await s.dashboards.showUmap(config, 'UMAP of the images and model features', result);
    return result;
  } catch (err) {
    reportFailure(s.log, 'the UMAP embedding', err);
    return undefined;
  }
}

export async function runStressTest(s: Services, arg?: unknown): Promise<StressTestResult | undefined> {
  if (!requireTrust('Run Stress Test')) return undefined;
  const config = await pickConfig(arg, 'Stress-test which config?');
  if (!config) return undefined;
  try {
    const params = { uri: config.toString(), split: splitFromArg(arg), provider: readSettings(config).provider };
    const result = await runJob(s.statusBar, 'stress test', (report, token) => s.server.requestWithProgress<StressTestResult>(StressTestRequestMethod, params, report, token));
    s.log.info(`stress test of ${vscode.workspace.asRelativePath(config)} → ${result.outputDir}`);
    for (const r of result.rows) s.log.info(`  ${r.perturbation} ${r.level} ${r.method}: dice ${r.dice?.toFixed(3) ?? '–'}${r.drop === undefined ? '' : ` (drop ${r.drop.toFixed(3)})`}`);
    void vscode.window.showInformationMessage(`MedSeg: stress test written to ${result.outputDir}.`, 'Show Log').then((a) => a && s.log.show(true));
    return result;
  } catch (err) {
    reportFailure(s.log, 'the stress test', err);
    return undefined;
  }
}

function targetFromArg(arg: unknown): vscode.Uri | undefined {
  const t = arg && typeof arg === 'object' && 'target' in arg ? (arg as { target: unknown }).target : undefined;
  return typeof t === 'string' ? vscode.Uri.file(t) : t instanceof vscode.Uri ? t : undefined;
}

/** Copies the run's self-contained report.html where the user wants it (through workspace.fs). */
export async function exportReport(s: Services, arg?: unknown): Promise<vscode.Uri | undefined> {
  const config = await pickConfig(arg, 'Export the report of which config?');
  if (!config) return undefined;
  try {
    const results = await s.server.results(config.toString());
    if (!results) {
      void vscode.window.showWarningMessage(`MedSeg: ${vscode.workspace.asRelativePath(config)} has no results yet: run an evaluation first.`);
      return undefined;
    }
    const source = vscode.Uri.joinPath(vscode.Uri.file(results.outputDir), 'report.html');
    try {
      await vscode.workspace.fs.stat(source);
    } catch {
      void vscode.window.showWarningMessage(`MedSeg: there is no report.html in ${results.outputDir}; run the evaluation again with this version.`);
      return undefined;
    }
    const name = config.path.split('/').pop()!.replace(/\.medseg\.ya?ml$/i, '');
    const target =
      targetFromArg(arg) ??
      (await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.joinPath(vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.joinPath(config, '..'), `${name}-report.html`), filters: { HTML: ['html'] }, title: 'Export the MedSeg report' }));
    if (!target) return undefined;
    await vscode.workspace.fs.copy(source, target, { overwrite: true });
    void vscode.window.showInformationMessage(`MedSeg: report written to ${target.fsPath}.`, 'Reveal').then((a) => a && vscode.commands.executeCommand('revealFileInOS', target));
    return target;
  } catch (err) {
    reportFailure(s.log, 'exporting the report', err);
    return undefined;
  }
}
