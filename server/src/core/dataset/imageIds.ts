/**
 * Image ids per CONFIG.md "Image ids": the file name without image extension when those stems
 * are unique in the dataset, else the path relative to the glob's fixed prefix without extension
 * (KiTS19: every volume is `imaging.nii.gz`, so ids are `case_00012/imaging`).
 */
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';
import { stripImageExtension } from '../io/extensions';
import type { ConfigPath, Finding } from '../findings';
import { pushAll } from '../util/arrays';
import { perItemOrAggregated, previewList } from './findingHelpers';

/** The absolute folder before the first magic segment of `pattern` (`data/case_00*` gives `<dir>/data`). */
export function globBase(pattern: string, dir: string): string {
  const scan = picomatch.scan(pattern);
  // A pattern without magic names one file; its folder is the fixed part.
  const base = scan.isGlob ? scan.base : dirname(pattern);
  return resolve(dir, base);
}

/** Path of `file` relative to `base` with `/` separators and without its image extension. */
export function relativeId(file: string, base: string): string {
  const rel = relative(base, file);
  const parts = (rel === '' || isAbsolute(rel) ? file : rel).split(sep);
  parts[parts.length - 1] = stripImageExtension(parts[parts.length - 1]);
  return parts.join('/');
}

/** Ids for `files` (absolute, sorted), in the same order. */
export function assignImageIds(files: readonly string[], base: string): string[] {
  const stems = files.map((f) => stripImageExtension(basename(f)));
  const unique = new Set(stems).size === stems.length;
  return unique ? stems : files.map((f) => relativeId(f, base));
}

/**
 * Keeps the first of items that share an id (same folder and stem, different extensions:
 * `a/x.png` and `a/x.jpg`) and reports the rest, since CSVs and results are keyed by id.
 */
export function dropDuplicateIds<T extends { id: string; image: string }>(
  items: readonly T[],
  file: string,
  configPath: ConfigPath,
  findings: Finding[],
): T[] {
  const first = new Map<string, T>();
  const duplicates: T[] = [];
  for (const item of items) {
    if (first.has(item.id)) duplicates.push(item);
    else first.set(item.id, item);
  }
  pushAll(
    findings,
    perItemOrAggregated(
      duplicates,
      (d) => ({
        code: 'dataset/duplicate-id',
        severity: 'error',
        message: `Two images have the id \`${d.id}\`: \`${first.get(d.id)!.image}\` and \`${d.image}\`. Ids must be unique: rename or remove one (only the first is used).`,
        location: { file },
        configPath,
      }),
      (all) => ({
        code: 'dataset/duplicate-id',
        severity: 'error',
        message: `${all.length} images share their id with another image: ${previewList(all.map((d) => d.id))}. Ids must be unique: rename or remove the extra files (only the first of each id is used).`,
        location: { file },
        configPath,
      }),
    ),
  );
  return [...first.values()];
}
