import type { TemplateVars } from './pathTemplate';

/** One image (or volume) on its way to becoming one or more `DatasetCase`s. */
export interface ImageEntry {
  id: string;
  /** Absolute image path. */
  image: string;
  /** Absolute mask path when it exists. */
  mask?: string;
  /** What `{stem}`, `{name}`, `{dir}`, `{parent}` stand for in mask and prediction templates. */
  vars: TemplateVars;
  predictions: Record<string, string>;
}
