/** What every command works with; built once by activate(). */
import type * as vscode from 'vscode';
import type { Dashboards } from '../dashboard/dashboardPanel';
import type { ImageLocator } from '../preview/imageLocator';
import type { PreviewPanels } from '../preview/previewPanel';
import type { MedsegServer } from '../server/medsegServer';
import type { MedsegStatusBar } from '../statusBar';

export interface Services {
  context: vscode.ExtensionContext;
  log: vscode.LogOutputChannel;
  server: MedsegServer;
  statusBar: MedsegStatusBar;
  previews: PreviewPanels;
  dashboards: Dashboards;
  locator: ImageLocator;
}
