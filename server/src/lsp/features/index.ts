export { completeConfig } from './completion';
export { hoverConfig } from './hover';
export { configLinks } from './links';
export { configCodeLenses, EVALUATE_COMMAND, PREVIEW_COMMAND } from './codeLens';
export { configInlayHints } from './inlayHints';
export {
  configCodeActions,
  pointSplitsAtEdits,
  freeSplitFile,
  patientLikeColumn,
  yamlScalar,
  GENERATE_SPLIT_COMMAND,
  CREATE_FOLDER_COMMAND,
  type GenerateSplitActionData,
} from './codeActions';
