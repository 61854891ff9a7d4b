/**
 * Entry of the language server's runs worker (`dist/lsp-worker.js`): evaluation, previews, images,
 * splits, stress tests, UMAP and the results' sections, off the main thread, each cancellable.
 * Validation has a worker of its own (checksWorker.ts) that loads only what it needs, so the
 * first diagnostics do not wait for all of this to load.
 */
import { imagesJob, previewJob } from './jobs/browse';
import { evaluateJob } from './jobs/evaluate';
import { explainSectionJob } from './jobs/explainSection';
import { stressJob } from './jobs/explainStress';
import { generateSplitJob } from './jobs/generateSplit';
import { thumbnailJob, umapJob } from './jobs/umap';
import { validateJob } from './jobs/validate';
import { runWorker } from './workerLoop';

runWorker({
  validate: validateJob,
  evaluate: evaluateJob,
  images: imagesJob,
  preview: previewJob,
  generateSplit: generateSplitJob,
  umap: umapJob,
  thumbnail: thumbnailJob,
  stress: stressJob,
  explainSection: explainSectionJob,
});
