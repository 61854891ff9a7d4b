/** The MIME type of an image the webview can decode by itself, by file name; undefined otherwise. */
export function rawImageMime(path: string): string | undefined {
  const lower = path.toLowerCase();
  if (lower.endsWith('.png')) return 'image/png';
  if (lower.endsWith('.jpg') || lower.endsWith('.jpeg')) return 'image/jpeg';
  if (lower.endsWith('.bmp')) return 'image/bmp';
  return undefined;
}
