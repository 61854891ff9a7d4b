/** Open Preview and Show Grad-CAM: an image file in the custom editor, or a config's image in the preview panel. */
import * as vscode from 'vscode';
import { PREVIEW_EDITOR_VIEW_TYPE } from '../preview/previewEditorProvider';
import type { PreviewLayerKind } from '../../../server/src/protocol';
import { isConfigPath, isPreviewableImage } from '../workspace/configPaths';
import { pickConfig, uriFromArg } from '../workspace/configs';
import { reportFailure } from './feedback';
import { imagePicks } from './imagePicks';
import type { Services } from './services';

interface PreviewArg {
  uri?: unknown;
  image?: string;
  method?: string;
}

function activeTabUri(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom) return input.uri;
  return undefined;
}

export async function openPreview(s: Services, arg?: unknown, focusKind?: PreviewLayerKind): Promise<void> {
  const a = (arg && typeof arg === 'object' && !(arg instanceof vscode.Uri) ? arg : { uri: arg }) as PreviewArg;
  const uri = uriFromArg(a.uri) ?? activeTabUri();
  if (uri && isPreviewableImage(uri.path) && !a.image) {
    if (focusKind) {
      const located = await s.locator.locate(uri);
      if (located) {
        s.previews.show({ config: located.config, image: located.entry.id, focusKind });
        return;
      }
    }
    await vscode.commands.executeCommand('vscode.openWith', uri, PREVIEW_EDITOR_VIEW_TYPE);
    return;
  }
  const config = uri && isConfigPath(uri.path) ? uri : await pickConfig(undefined, 'Preview an image of which config?');
  if (!config) return;
  let image = a.image;
  if (!image) {
    image = await pickImage(s, config);
    if (!image) return;
  }
  s.previews.show({ config, image, method: a.method, focusKind });
}

async function pickImage(s: Services, config: vscode.Uri): Promise<string | undefined> {
  try {
    const result = await s.locator.images(config);
    if (!result || result.images.length === 0) {
      void vscode.window.showWarningMessage(`MedSeg: ${vscode.workspace.asRelativePath(config)} lists no images.`);
      return undefined;
    }
    const items = imagePicks(result).map((p): vscode.QuickPickItem & { id?: string } =>
      p.kind === 'separator' ? { label: p.label, kind: vscode.QuickPickItemKind.Separator } : { label: p.label, description: p.description, id: p.id },
    );
    const picked = await vscode.window.showQuickPick(items, { placeHolder: 'Which image?', matchOnDescription: true });
    return picked?.id;
  } catch (err) {
    reportFailure(s.log, 'listing the images', err);
    return undefined;
  }
}
