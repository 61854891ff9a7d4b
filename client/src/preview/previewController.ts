/**
 * Drives one preview webview: asks the server for an image's layers and posts them; steps to
 * the previous/next/next-worst image, another slice or another window when the webview asks.
 * Images outside every config are read through `vscode.workspace.fs` (remote workspaces work)
 * and shown alone.
 */
import * as vscode from 'vscode';
import type { PreviewDataResult, PreviewLayerKind } from '../../../server/src/protocol';
import { CancelledError, errorMessage, type MedsegServer } from '../server/medsegServer';
import { readSettings } from '../settings';
import type { HostToPreview, PreviewControl, PreviewToHost, RenderedLayer } from '../webview/previewMessages';
import { rawImageMime } from './rawImage';

export interface PreviewTarget {
  config: vscode.Uri;
  /** Image id, or absolute image path. */
  image: string;
  method?: string;
  focusKind?: PreviewLayerKind;
}

export interface PreviewRendered {
  /** The image file (custom editor) or config (panel) the preview was opened for. */
  resource: string;
  config?: string;
  imageId: string;
  title: string;
  slice: number;
  layers: RenderedLayer[];
  /** The side panel's image controls: `slice` for volumes, `window` for scalar images. */
  controls: PreviewControl[];
  /** The metrics panel's note when the image has no results (why, and what to do). */
  note?: string;
}

export interface PreviewHooks {
  onRendered(info: PreviewRendered): void;
  onCspViolation(what: string): void;
  onTitle(title: string): void;
  openDashboard(config: vscode.Uri): void;
}

export class PreviewController implements vscode.Disposable {
  private current: { image: string; slice?: number; window?: [number, number] } | undefined;
  private data: PreviewDataResult | undefined;
  private inFlight: vscode.CancellationTokenSource | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];
  private ready = false;
  private pending: (() => void) | undefined;
  private target: PreviewTarget | undefined;
  private readonly located: Promise<void>;

  /**
   * `target` may still be being worked out (which config lists this file): the controller listens
   * to the webview at once, so its "ready" is never missed, and starts drawing when both are there.
   */
  constructor(
    private readonly webview: vscode.Webview,
    private readonly server: MedsegServer,
    private readonly hooks: PreviewHooks,
    private readonly resource: vscode.Uri,
    target: PreviewTarget | undefined | Promise<PreviewTarget | undefined>,
  ) {
    if (!(target instanceof Promise)) this.target = target;
    this.located = Promise.resolve(target).then(
      (t) => {
        this.target ??= t;
      },
      () => undefined,
    );
    this.subscriptions.push(webview.onDidReceiveMessage((m: PreviewToHost) => void this.onMessage(m)));
    this.subscriptions.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('medseg.preview') && this.ready) {
          this.post({ type: 'settings', settings: readSettings(this.resource).preview });
          void this.reload();
        }
      }),
    );
  }

  get config(): vscode.Uri | undefined {
    return this.target?.config;
  }

  /** Shows another image of a config (the dashboard's gallery, Open Preview). */
  show(target: PreviewTarget): void {
    this.target = target;
    this.current = undefined;
    this.whenReady(() => void this.load({ image: target.image }));
  }

  /** The config's results changed: draw the same image again. */
  reload(): Promise<void> {
    if (!this.ready) return Promise.resolve();
    return this.current ? this.load(this.current) : this.start();
  }

  private whenReady(action: () => void): void {
    if (this.ready) action();
    else this.pending = action;
  }

  private post(message: HostToPreview): void {
    void this.webview.postMessage(message);
  }

  private async onMessage(message: PreviewToHost): Promise<void> {
    switch (message.type) {
      case 'ready':
        await this.located;
        this.ready = true;
        this.post({ type: 'settings', settings: readSettings(this.resource).preview });
        if (this.pending) {
          const action = this.pending;
          this.pending = undefined;
          action();
        } else await this.start();
        return;
      case 'rendered':
        this.hooks.onTitle(message.imageId);
        this.hooks.onRendered({ resource: this.resource.toString(), config: this.target?.config.toString(), imageId: message.imageId, title: message.title, slice: message.slice, layers: message.layers, controls: message.controls, ...(message.note ? { note: message.note } : {}) });
        return;
      case 'navigate': {
        const id = this.data?.[message.target];
        if (id !== undefined) await this.load({ image: id });
        return;
      }
      case 'slice':
        if (this.current) await this.load({ ...this.current, slice: message.slice });
        return;
      case 'window':
        if (this.current) await this.load({ ...this.current, window: message.window });
        return;
      case 'openDashboard':
        if (this.target) this.hooks.openDashboard(this.target.config);
        return;
      case 'cspViolation':
        this.hooks.onCspViolation(`preview: ${message.directive} blocked ${message.blocked}`);
        return;
    }
  }

  private async start(): Promise<void> {
    if (this.target) await this.load({ image: this.target.image });
    else await this.showRaw();
  }

  private async load(request: { image: string; slice?: number; window?: [number, number] }): Promise<void> {
    const target = this.target;
    if (!target) return;
    this.inFlight?.cancel();
    const cts = new vscode.CancellationTokenSource();
    this.inFlight = cts;
    this.post({ type: 'loading', label: request.image });
    try {
      const data = await this.server.previewData({ uri: target.config.toString(), image: request.image, slice: request.slice, window: request.window }, cts.token);
      if (cts.token.isCancellationRequested) return;
      this.data = data;
      this.current = { image: data.imageId, slice: data.depth > 1 ? data.slice : undefined, window: request.window };
      this.post({ type: 'data', data, method: target.method, focusKind: target.focusKind });
    } catch (err) {
      if (err instanceof CancelledError || cts.token.isCancellationRequested) return;
      this.post({ type: 'error', message: `Could not draw ${request.image}: ${errorMessage(err)}` });
    } finally {
      if (this.inFlight === cts) this.inFlight = undefined;
      cts.dispose();
    }
  }

  private async showRaw(): Promise<void> {
    const label = this.resource.path.split('/').pop() ?? this.resource.toString();
    const mime = rawImageMime(this.resource.path);
    const note = 'This image belongs to no *.medseg.yaml config in the workspace, so it is shown without masks or results.';
    if (!mime) {
      this.post({ type: 'raw', label, note: `${note} Only PNG, JPEG and BMP files can be shown outside a config.` });
      return;
    }
    try {
      const bytes = await vscode.workspace.fs.readFile(this.resource);
      this.post({ type: 'raw', label, dataUri: `data:${mime};base64,${Buffer.from(bytes).toString('base64')}`, note });
    } catch (err) {
      this.post({ type: 'error', message: `Could not read ${label}: ${errorMessage(err)}` });
    }
  }

  dispose(): void {
    this.inFlight?.cancel();
    for (const s of this.subscriptions) s.dispose();
  }
}
