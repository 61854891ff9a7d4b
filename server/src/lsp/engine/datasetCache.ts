/**
 * The worker's last resolved dataset per config, so that stepping through images in the preview
 * does not list 60,000 files for every click. Validation always resolves afresh and refreshes it.
 */
import type { MedsegConfig } from '../../core/config';
import { resolveDataset } from '../../core/dataset';
import type { ResolvedDataset } from '../../core/dataset/types';

interface Entry {
  key: string;
  dataset: ResolvedDataset;
  at: number;
}

/** What the resolved cases depend on in a config. */
export function datasetKey(config: MedsegConfig): string {
  return JSON.stringify({
    dataset: config.dataset,
    splits: config.splits,
    models: config.models.map((m) => [m.name, m.predictions ?? '']),
    dir: config.dir,
  });
}

export class DatasetCache {
  private readonly entries = new Map<string, Entry>();

  remember(config: MedsegConfig, dataset: ResolvedDataset): void {
    this.entries.set(config.file, { key: datasetKey(config), dataset, at: Date.now() });
  }

  /** The cached dataset when it is for the same settings and younger than `maxAgeMs`, else a fresh one. */
  async get(config: MedsegConfig, options: { signal?: AbortSignal; maxAgeMs: number }): Promise<ResolvedDataset> {
    const entry = this.entries.get(config.file);
    if (entry && entry.key === datasetKey(config) && Date.now() - entry.at <= options.maxAgeMs) return entry.dataset;
    const dataset = await resolveDataset(config, { signal: options.signal });
    this.remember(config, dataset);
    return dataset;
  }
}

export function splitCounts(dataset: ResolvedDataset | undefined): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const c of dataset?.cases ?? []) {
    const split = c.split ?? 'none';
    counts[split] = (counts[split] ?? 0) + 1;
  }
  return counts;
}
