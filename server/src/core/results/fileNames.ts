/**
 * From image ids and method names to the files of a results folder (`masks/<method>/<id>.png`,
 * RESULTS.md), for every writer and every reader (report galleries, preview, heatmaps), and the
 * manifest that records the mapping (`file_names.csv`).
 *
 * Ids become file names by percent-escaping, which is reversible and therefore collision-free:
 * ids that differ only in characters a file system refuses (`a<1`, `a>1`, `a_1`; time stamps such
 * as `12:30`) once all became `a_1.png` and overwrote each other. Ordinary ids are their own file
 * names, so results of such datasets are byte-identical to before.
 */
import type { PerImageTable } from './perImageTable';
import { csvCell } from './perImage';
import { resultPath } from './resultPath';
import { RESERVED_DEVICE } from '../util/pathSegment';

export const FILE_NAMES_FILE = 'file_names.csv';
export const FILE_NAMES_HEADER = 'image_id,file';

/**
 * Escaped as `%XX` (upper-case hex): what Windows refuses in names (`<>:"\|?*`), control
 * characters, and `%` itself, the escape character — so decoding is unambiguous.
 */
const ESCAPED = /[<>:"\\|?*%\x00-\x1f\x7f]/g;
/** Anything in an id that needs more than its own characters: the escaped set, `.`/`..`/empty parts, trailing dots or spaces, device names. */
const NEEDS_WORK = /[<>:"\\|?*%\x00-\x1f\x7f]|(^|\/)\.{1,2}(\/|$)|[. ](\/|$)|^\/|\/\/|\/$|(^|\/)(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\.|\/|$)/i;
const WITH_SLASH = /[<>:"\\|?*%\x00-\x1f\x7f/]/g;

const hex = (ch: string) => `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;

function escapePart(part: string, escaped = ESCAPED): string {
  let s = part.replace(escaped, hex);
  if (s === '.' || s === '..') return s.replace(/\./g, '%2E');
  // Windows drops a trailing dot or space of a folder name, and opens a device for `CON`, `nul.png`.
  if (/[. ]$/.test(s)) s = s.slice(0, -1) + hex(s[s.length - 1]);
  if (RESERVED_DEVICE.test(s)) s = hex(s[0]) + s.slice(1);
  return s;
}

/**
 * The path of an id's files relative to `<kind>/<method>/`, without extension: the id itself for
 * ordinary ids; ids with `/` (KiTS: `case_00000/imaging`) become sub-folders; everything else is
 * percent-escaped. The same on every platform, so a results folder reads the same everywhere.
 */
export function idToRelativePath(id: string): string {
  if (!NEEDS_WORK.test(id)) return id;
  const parts = id.split('/');
  // An empty part (`a//b`, a leading or trailing `/`) cannot be a folder: the id is one file name.
  if (parts.some((p) => p === '')) return escapePart(id, WITH_SLASH);
  return parts.map((p) => escapePart(p)).join('/');
}

/** The id of a relative path made by `idToRelativePath` (its inverse). */
export function relativePathToId(path: string): string {
  return path.replace(/%([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** The folder of a method: its name (RESULTS.md), with `:` replaced on Windows where it is not allowed. */
export function methodFolder(method: string): string {
  return process.platform === 'win32' ? method.replace(/:/g, '_') : method;
}

/** `<root>/<kind>/<method>/<id><extension>`, checked to stay inside `root`. */
export function caseFilePath(root: string, kind: string, method: string, id: string, extension: string): string {
  return resultPath(root, kind, methodFolder(method), idToRelativePath(id) + extension);
}

/** `file_names.csv`: the id and relative file path (no extension) of each image with results, sorted by id. */
export function* fileNamesCsvChunks(table: PerImageTable, chunkChars = 1 << 20): Generator<string> {
  let chunk = FILE_NAMES_HEADER + '\n';
  const ids = table.imageIds;
  for (const image of table.sortedImageOrder()) {
    if (!table.methods.some((m) => table.has(m, image))) continue;
    chunk += `${csvCell(ids[image])},${csvCell(idToRelativePath(ids[image]))}\n`;
    if (chunk.length >= chunkChars) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}
