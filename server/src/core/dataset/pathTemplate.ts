/**
 * Mask and prediction paths: templates with `{stem}`, `{name}`, `{dir}`, `{parent}`, or (masks only) globs.
 */
import { basename, dirname, isAbsolute, resolve, sep } from 'node:path';
import { stripImageExtension } from '../io/extensions';

/** Values of the placeholders for one image. */
export interface TemplateVars {
  /** File name without image extension (`ISIC_0000000`, `imaging`). */
  stem: string;
  /** File name with extension. */
  name: string;
  /** The image's absolute folder. */
  dir: string;
  /** The name of the image's folder (KiTS: `case_00000`, whose files are all `imaging.nii.gz`), for predictions kept elsewhere: `preds/{parent}.nii.gz`. */
  parent: string;
}

const PLACEHOLDER = /\{(stem|name|dir|parent)\}/g;

export function templateVarsOf(imagePath: string): TemplateVars {
  const name = basename(imagePath);
  return { stem: stripImageExtension(name), name, dir: dirname(imagePath), parent: basename(dirname(imagePath)) };
}

export function hasPlaceholders(pattern: string): boolean {
  return new RegExp(PLACEHOLDER.source).test(pattern);
}

/** A glob has `*`, `?` or `[` and no placeholder (`{stem}` would otherwise read as a brace glob). */
export function isGlobPattern(pattern: string): boolean {
  return /[*?[]/.test(pattern) && !hasPlaceholders(pattern);
}

/** Substitutes the placeholders, then resolves against `baseDir` (an absolute `{dir}` wins). */
export function fillTemplate(template: string, vars: TemplateVars, baseDir: string): string {
  // A function replacer, so `$` in file names is taken literally.
  const filled = template.replace(PLACEHOLDER, (_, key: keyof TemplateVars) => vars[key]);
  // Already absolute and normal (the `{dir}/…` case): path.resolve would return it unchanged.
  if (isAbsolute(filled) && !/[\\/]\.{1,2}(?:[\\/]|$)|[\\/]{2}/.test(filled) && sep === '/') return filled;
  return resolve(baseDir, filled);
}
