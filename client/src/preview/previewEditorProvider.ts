/**
 * The mask preview as a read-only custom editor (priority "option": Open With… on an image,
 * or Open Preview). The file decides the config: the nearest config whose dataset lists it.
 */
import * as vscode from 'vscode';
import type { MedsegServer } from '../server/medsegServer';
import { setUpWebview } from '../webviewSetup';
import type { ImageLocator } from './imageLocator';
import { PreviewController, type PreviewHooks, type PreviewTarget } from './previewController';

export const PREVIEW_EDITOR_VIEW_TYPE = 'medseg.preview';

export const PREVIEW_BUNDLE = { script: 'preview', styles: ['preview'], rootId: 'medseg-preview', title: 'MedSeg Preview' };

export class PreviewEditorProvider implements vscode.CustomReadonlyEditorProvider {
  private readonly controllers = new Set<PreviewController>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly server: MedsegServer,
    private readonly locator: ImageLocator,
    private readonly hooks: Omit<PreviewHooks, 'onTitle'>,
  ) {}

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): void {
    const target: Promise<PreviewTarget | undefined> = this.locator.locate(document.uri).then(
      (located) => (located ? { config: located.config, image: located.entry.id } : undefined),
      () => undefined,
    );
    const controller = new PreviewController(panel.webview, this.server, { ...this.hooks, onTitle: () => undefined }, document.uri, target);
    setUpWebview(panel.webview, this.extensionUri, PREVIEW_BUNDLE);
    this.controllers.add(controller);
    panel.onDidDispose(() => {
      this.controllers.delete(controller);
      controller.dispose();
    });
  }

  /** Results of a config changed: redraw its open previews. */
  refresh(config: string): void {
    for (const c of this.controllers) if (c.config?.toString() === config) void c.reload();
  }
}
