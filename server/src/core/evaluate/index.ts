export { evaluateExperiment, type EvaluateOptions, type EvaluationProgress, type EvaluationResult } from './pipeline';
export { selectCases, shardOf, type Shard } from './selectCases';
export { predictionProbabilities } from './sources';
export { evaluateRegions, type RegionEvaluation, type RegionsEvaluationResult } from './regionRun';
