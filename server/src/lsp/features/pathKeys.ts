/**
 * The config keys that hold paths (relative to the config file), with what they point at: the
 * facts behind path completion, document links and "create folder".
 */
import { IMAGE_EXTENSIONS } from '../../core/io';

export type PathKind = 'glob' | 'template' | 'file' | 'folder';

export interface PathKey {
  kind: PathKind;
  /** File extensions worth proposing (lower case, with the dot); undefined = any. */
  extensions?: readonly string[];
}

type Path = readonly (string | number)[];

export function pathKeyOf(path: Path): PathKey | undefined {
  const [a, b, c] = path;
  if (a === 'dataset' && path.length === 2) {
    if (b === 'images') return { kind: 'glob', extensions: IMAGE_EXTENSIONS };
    if (b === 'masks') return { kind: 'template', extensions: IMAGE_EXTENSIONS };
    if (b === 'msd') return { kind: 'folder' };
    if (b === 'labels') return { kind: 'file', extensions: ['.csv'] };
  }
  if (a === 'splits' && b === 'file' && path.length === 2) return { kind: 'file', extensions: ['.csv'] };
  if (a === 'models' && typeof b === 'number' && path.length === 3) {
    if (c === 'path') return { kind: 'file', extensions: ['.onnx'] };
    if (c === 'predictions') return { kind: 'template', extensions: IMAGE_EXTENSIONS };
  }
  if (a === 'output' && path.length === 1) return { kind: 'folder' };
  if (a === 'runtime' && b === 'cache' && path.length === 2) return { kind: 'folder' };
  return undefined;
}

/** The literal part of a glob or template before its first wildcard or placeholder (`data/images/` of `data/images/*.png`). */
export function literalPrefix(value: string): string {
  const i = value.search(/[*?[\]{}!]/);
  if (i < 0) return value;
  const cut = value.slice(0, i);
  return cut.slice(0, cut.lastIndexOf('/') + 1);
}

/** Whether a path value is fully literal (no wildcard, no placeholder). */
export function isLiteralPath(value: string): boolean {
  return literalPrefix(value) === value;
}

/** Every path-valued config path present in a config value (for links). */
export function pathValuesOf(raw: unknown): { path: (string | number)[]; value: string }[] {
  const out: { path: (string | number)[]; value: string }[] = [];
  const r = raw as Record<string, any> | undefined; // eslint-disable-line @typescript-eslint/no-explicit-any
  if (!r || typeof r !== 'object') return out;
  const push = (path: (string | number)[], value: unknown) => {
    if (typeof value === 'string' && value !== '') out.push({ path, value });
  };
  for (const k of ['images', 'masks', 'msd', 'labels']) push(['dataset', k], r.dataset?.[k]);
  push(['splits', 'file'], r.splits?.file);
  if (Array.isArray(r.models)) {
    r.models.forEach((m: Record<string, unknown> | null, i: number) => {
      push(['models', i, 'path'], m?.path);
      push(['models', i, 'predictions'], m?.predictions);
    });
  }
  push(['output'], r.output);
  push(['runtime', 'cache'], r.runtime?.cache);
  return out;
}
