export {
  generateSplits,
  generateBestSplits,
  chooseSplits,
  splitQuality,
  splitQualityParts,
  type SplitOptions,
  type QualityOptions,
  type ChooseSplitsOptions,
  type ChosenSplits,
  type SplitQualityParts,
} from './generate';
export { analyzeSplits, metadataSplitFindings, imageSplitFindings, type AnalyzeSplitsOptions } from './analyze';
export { proposeSplits, splitCounts, DEFAULT_RATIOS, DEFAULT_TRIES, type ProposeSplitsOptions, type ProposedSplits } from './propose';
export { writeSplitCsv, splitCsvText } from './splitFileWrite';
export { findHashPairs, type HashPair } from './nearDuplicates';
export { SPLIT_PROPERTIES, casePropertyValues, type SplitProperty } from './caseProperties';
export type { CasePropertyValues } from './propertyBalance';
