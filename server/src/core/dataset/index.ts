export type { DatasetCase, ResolvedDataset } from './types';
export { resolveDataset, countNiftiSlices, type ResolveDatasetOptions } from './resolve';
export { assignImageIds, globBase } from './imageIds';
export { fillTemplate, isGlobPattern, templateVarsOf, type TemplateVars } from './pathTemplate';
export { readCsvTable, type CsvTable, type CsvRow } from './csvTable';
