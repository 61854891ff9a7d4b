export { type BatchJobSpec, checkFolders, JOB_FILE, jobFolderOf, logsDir, mergeCommand, SHARD_TASKS, shardCommands, shardDir, type ShardTask, type Submission } from './jobSpec';
export { arraySpec, COMPLETE_STATUSES, MERGE_SCRIPT, mergeScript, SHARDS_SCRIPT, shardsScript, shellCommand } from './sbatchScripts';
export { isFinished, parseSacct, parseScontrol, runCommand, SlurmClient, type CommandResult, type CommandRunner, type JobState } from './slurmClient';
export { resourceProblems, sbatchOptions, type SlurmResources } from './slurmOptions';
export { activeJobs, jobFile, planResume, readJob, specOf, submitSlurmJob, waitForSubmission, writeSlurmJob, type ResumePlan, type SlurmJobRequest, type WaitOutcome } from './slurmJob';
export { mergedAfterShards, shardStatuses, type ShardStatus } from './shardStatus';
export { jobNameOf, jobSchemaProblems, k8sManifests, k8sOptionProblems, podPath, podSpec, runScript as k8sRunScript, type K8sManifests, type K8sOptions } from './k8sManifests';
export { K8S_MERGE_FILE, K8S_RUN_FILE, K8S_SHARDS_FILE, k8sSpecOf, writeK8sJob, type K8sJobRequest, type WrittenK8sJob } from './k8sJob';
