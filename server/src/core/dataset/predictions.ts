/**
 * Existing predictions of models run elsewhere (`models[].predictions`, a template like `masks`).
 */
import type { MedsegConfig } from '../config/types';
import type { Finding } from '../findings';
import { displayPath, previewList } from './findingHelpers';
import type { FolderListing } from './folderListing';
import type { ImageEntry } from './imageEntry';
import { fillTemplate } from './pathTemplate';

export async function findPredictions(
  config: MedsegConfig,
  entries: readonly ImageEntry[],
  listing: FolderListing,
  findings: Finding[],
  signal?: AbortSignal,
): Promise<void> {
  for (const model of config.models) {
    if (model.predictions === undefined) continue;
    signal?.throwIfAborted();
    const missing: { entry: ImageEntry; expected: string }[] = [];
    const expected = entries.map((entry) => fillTemplate(model.predictions!, entry.vars, config.dir));
    const present = await listing.existing(expected);
    entries.forEach((entry, i) => {
      if (present[i]) entry.predictions[model.name] = expected[i];
      else missing.push({ entry, expected: expected[i] });
    });
    if (missing.length === 0) continue;
    // One finding per model whatever the count: it is usually one wrong template.
    findings.push({
      code: 'dataset/missing-prediction',
      severity: 'error',
      message:
        `Model \`${model.name}\`: ${missing.length} of ${entries.length} images have no prediction file: ${previewList(missing.map((m) => m.entry.id))}. ` +
        `Expected e.g. \`${displayPath(config.dir, missing[0].expected)}\`.`,
      location: { file: config.file },
      configPath: ['models', model.index, 'predictions'],
    });
  }
}
