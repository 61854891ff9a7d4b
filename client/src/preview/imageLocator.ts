/**
 * Which config's dataset an image file belongs to: asks the server for the images of the
 * configs nearest to the file (cached per config until its results or dataset change).
 */
import * as vscode from 'vscode';
import type { ImageEntryData, ImagesResult } from '../../../server/src/protocol';
import type { MedsegServer } from '../server/medsegServer';
import { rankConfigsForImage } from '../workspace/configPaths';
import { findConfigs } from '../workspace/configs';

/** Configs asked at most per lookup: a workspace of hundreds of configs should not stall the preview. */
const MAX_CONFIGS = 12;

export interface LocatedImage {
  config: vscode.Uri;
  entry: ImageEntryData;
}

function samePath(a: string, b: string): boolean {
  return process.platform === 'win32' || process.platform === 'darwin' ? a.toLowerCase() === b.toLowerCase() : a === b;
}

export class ImageLocator {
  private readonly cache = new Map<string, Promise<ImagesResult | undefined>>();

  constructor(
    private readonly server: MedsegServer,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  invalidate(config?: vscode.Uri): void {
    if (config) this.cache.delete(config.toString());
    else this.cache.clear();
  }

  images(config: vscode.Uri): Promise<ImagesResult | undefined> {
    const key = config.toString();
    let found = this.cache.get(key);
    if (!found) {
      found = this.server.images({ uri: key }).catch((err: unknown) => {
        this.log.warn(`images of ${config.fsPath}: ${(err as Error).message ?? err}`);
        this.cache.delete(key);
        return undefined;
      });
      this.cache.set(key, found);
    }
    return found;
  }

  /**
   * An image often belongs to several configs (a planted and a clean split of one dataset): the
   * one with results for it wins, then one open in an editor, then the nearest.
   */
  async locate(image: vscode.Uri): Promise<LocatedImage | undefined> {
    const configs = await findConfigs();
    const byPath = new Map(configs.map((c) => [c.fsPath, c]));
    const ranked = rankConfigsForImage(image.fsPath, [...byPath.keys()]).slice(0, MAX_CONFIGS);
    const open = new Set(vscode.workspace.textDocuments.map((d) => d.uri.fsPath));
    const found: (LocatedImage & { score: number })[] = [];
    for (const path of ranked) {
      const config = byPath.get(path)!;
      const result = await this.images(config);
      const entry = result?.images.find((e) => samePath(e.image, image.fsPath));
      if (!entry) continue;
      const score = (entry.dice && Object.keys(entry.dice).length ? 2 : 0) + (open.has(path) ? 1 : 0);
      found.push({ config, entry, score });
      if (score === 3) break;
    }
    found.sort((a, b) => b.score - a.score); // stable: ties keep the nearest-first order
    return found[0] ? { config: found[0].config, entry: found[0].entry } : undefined;
  }
}
