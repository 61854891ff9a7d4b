export { EngineWorker, CancelledError, JobFailedError, engineWorkerScript, type JobOptions, type EngineLog } from './host';
export type { ConfigText, ValidationOutcome, GeneratedSplit, JobKind, JobParams, JobResults } from './protocol';
