/** Pure path logic for finding which config an image belongs to (tested without VS Code). */
import { posix, win32 } from 'node:path';

function parts(p: string): string[] {
  const normal = p.includes('\\') && !p.includes('/') ? win32.normalize(p).replace(/\\/g, '/') : posix.normalize(p);
  return normal.split('/').filter((s) => s.length > 0);
}

function commonPrefix(a: string[], b: string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

/**
 * Configs in the order to ask about an image: those whose folder contains the image, deepest
 * folder first (a dataset is usually beside or below its config), then the rest by how much of
 * the path they share; ties by path so the order is stable.
 */
export function rankConfigsForImage(imagePath: string, configPaths: readonly string[]): string[] {
  const image = parts(imagePath);
  return configPaths
    .map((config) => {
      const dir = parts(config).slice(0, -1);
      const shared = commonPrefix(dir, image);
      return { config, contains: shared === dir.length, shared };
    })
    .sort((a, b) => Number(b.contains) - Number(a.contains) || b.shared - a.shared || (a.config < b.config ? -1 : a.config > b.config ? 1 : 0))
    .map((x) => x.config);
}

/** Config files are `*.medseg.yaml` / `*.medseg.yml`. */
export function isConfigPath(path: string): boolean {
  return /\.medseg\.ya?ml$/i.test(path);
}

/** Image files the preview opens (the custom editor's selector). */
export function isPreviewableImage(path: string): boolean {
  return /\.(png|jpe?g|tiff?|bmp|nii|nii\.gz)$/i.test(path);
}
