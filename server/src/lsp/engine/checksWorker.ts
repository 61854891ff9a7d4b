/**
 * Entry of the language server's checks worker (`dist/lsp-checks-worker.js`): validation only
 * (the diagnostics' engine passes), so its bundle holds the config, dataset, split and scan code
 * and none of inference, evaluation, reports or explanations, and starts in a fraction of the time.
 */
import { validateJob } from './jobs/validate';
import { runWorker } from './workerLoop';

runWorker({ validate: validateJob });
