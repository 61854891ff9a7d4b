/**
 * The results dashboard: one webview panel per config that draws the run's `ReportData` with
 * the same code as report.html, in theme colours, and opens the preview for a clicked image.
 * It reloads when the server says the config's results changed.
 */
import * as vscode from 'vscode';
import { ThumbnailRequestMethod, type PreviewLayerKind, type ResultsData, type ThumbnailResult, type UmapResult } from '../../../server/src/protocol';
import { errorMessage, type MedsegServer } from '../server/medsegServer';
import type { DashboardToHost, HostToDashboard } from '../webview/dashboardMessages';
import type { ReportData } from '../../../server/src/protocol/reportData';
import { setUpWebview } from '../webviewSetup';
import { extractReportData, reportDataFromResults, withCurrentSections } from './reportSources';

export interface DashboardHooks {
  openImage(config: vscode.Uri, imageId: string, method: string, focusKind?: PreviewLayerKind): void;
  onRendered(info: { config: string; sections: string[] }): void;
  onCspViolation(what: string): void;
}

interface OpenDashboard {
  panel: vscode.WebviewPanel;
  ready: Promise<void>;
  post(message: HostToDashboard): void;
}

export async function loadReportData(server: MedsegServer, config: vscode.Uri): Promise<{ data: ReportData; source: string } | { empty: string }> {
  let results: ResultsData | null;
  try {
    results = await server.results(config.toString());
  } catch (err) {
    return { empty: `Could not read the results of ${vscode.workspace.asRelativePath(config)}: ${errorMessage(err)}` };
  }
  if (!results) return { empty: `${vscode.workspace.asRelativePath(config)} has no results yet. Run "MedSeg: Run Evaluation" first.` };
  const reportUri = vscode.Uri.joinPath(vscode.Uri.file(results.outputDir), 'report.html');
  try {
    const html = new TextDecoder().decode(await vscode.workspace.fs.readFile(reportUri));
    const data = extractReportData(html);
    if (data) return { data: withCurrentSections(data, results), source: reportUri.fsPath };
  } catch {
    // no report.html: fall back to the summary
  }
  return { data: reportDataFromResults(results), source: `${results.outputDir} (summary.json; report.html not found)` };
}

export class Dashboards implements vscode.Disposable {
  private readonly open = new Map<string, OpenDashboard>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly server: MedsegServer,
    private readonly hooks: DashboardHooks,
  ) {}

  async show(config: vscode.Uri, focus?: string): Promise<void> {
    const d = this.panelFor(config);
    d.panel.reveal(undefined, false);
    await this.load(config, d, focus);
  }

  /** The UMAP maps above the results; their hover thumbnails are asked from the server one at a time. */
  async showUmap(config: vscode.Uri, title: string, result: UmapResult): Promise<void> {
    const d = this.panelFor(config);
    d.panel.reveal(undefined, false);
    await d.ready;
    d.post({ type: 'umap', title, result });
  }

  private async sendThumbnail(config: vscode.Uri, d: OpenDashboard, imageId: string): Promise<void> {
    try {
      const t = await this.server.request<ThumbnailResult>(ThumbnailRequestMethod, { uri: config.toString(), imageId });
      d.post({ type: 'thumbnail', imageId, dataUri: t.dataUri });
    } catch {
      // A hover without a picture: the tooltip keeps its text.
      d.post({ type: 'thumbnail', imageId });
    }
  }

  /** The server reported new results for a config: redraw its dashboard when one is open. */
  async refresh(config: string): Promise<void> {
    const d = this.open.get(config);
    if (d) await this.load(vscode.Uri.parse(config), d);
  }

  private async load(config: vscode.Uri, d: OpenDashboard, focus?: string): Promise<void> {
    const [loaded] = await Promise.all([loadReportData(this.server, config), d.ready]);
    if ('empty' in loaded) d.post({ type: 'empty', message: loaded.empty });
    else d.post({ type: 'report', data: loaded.data, source: loaded.source, focus });
  }

  private panelFor(config: vscode.Uri): OpenDashboard {
    const key = config.toString();
    const existing = this.open.get(key);
    if (existing) return existing;
    const name = config.path.split('/').pop()?.replace(/\.medseg\.ya?ml$/i, '') ?? 'results';
    const panel = vscode.window.createWebviewPanel('medseg.dashboard', `Results · ${name}`, vscode.ViewColumn.Active, { retainContextWhenHidden: true, enableFindWidget: true });
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'icon.svg');
    setUpWebview(panel.webview, this.extensionUri, { script: 'dashboard', styles: ['report', 'dashboard', 'umap'], rootId: 'medseg-report', title: 'MedSeg Results', inlineStyles: true });
    let markReady!: () => void;
    const ready = new Promise<void>((resolve) => (markReady = resolve));
    panel.webview.onDidReceiveMessage((m: DashboardToHost) => {
      if (m.type === 'ready') markReady();
      else if (m.type === 'rendered') this.hooks.onRendered({ config: key, sections: m.sections });
      else if (m.type === 'openImage') this.hooks.openImage(config, m.imageId, m.method, m.focusKind);
      else if (m.type === 'thumbnail') void this.sendThumbnail(config, d, m.imageId);
      else if (m.type === 'cspViolation') this.hooks.onCspViolation(`dashboard: ${m.directive} blocked ${m.blocked}`);
    });
    const d: OpenDashboard = { panel, ready, post: (message) => void panel.webview.postMessage(message) };
    this.open.set(key, d);
    panel.onDidDispose(() => this.open.delete(key));
    return d;
  }

  dispose(): void {
    for (const d of this.open.values()) d.panel.dispose();
  }
}
