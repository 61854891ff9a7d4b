/**
 * The mask preview as a panel beside the editor, opened from a result (the dashboard's gallery,
 * Open Preview on a config, Show Grad-CAM). One panel is reused: stepping through images should
 * not pile up tabs.
 */
import * as vscode from 'vscode';
import type { MedsegServer } from '../server/medsegServer';
import { setUpWebview } from '../webviewSetup';
import { PREVIEW_BUNDLE } from './previewEditorProvider';
import { PreviewController, type PreviewHooks, type PreviewTarget } from './previewController';

export class PreviewPanels implements vscode.Disposable {
  private open: { panel: vscode.WebviewPanel; controller: PreviewController } | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly server: MedsegServer,
    private readonly hooks: Omit<PreviewHooks, 'onTitle'>,
  ) {}

  show(target: PreviewTarget): void {
    if (this.open) {
      this.open.controller.show(target);
      this.open.panel.reveal(undefined, true);
      return;
    }
    const panel = vscode.window.createWebviewPanel('medseg.previewPanel', target.image, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false }, { retainContextWhenHidden: true });
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'icon.svg');
    const controller = new PreviewController(panel.webview, this.server, { ...this.hooks, onTitle: (title) => (panel.title = `Preview · ${title}`) }, target.config, target);
    setUpWebview(panel.webview, this.extensionUri, PREVIEW_BUNDLE);
    this.open = { panel, controller };
    panel.onDidDispose(() => {
      controller.dispose();
      this.open = undefined;
    });
  }

  refresh(config: string): void {
    if (this.open?.controller.config?.toString() === config) void this.open.controller.reload();
  }

  dispose(): void {
    this.open?.panel.dispose();
  }
}
