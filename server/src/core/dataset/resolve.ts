/**
 * `resolveDataset`: from a typed config to the list of evaluation cases (image, mask, slice,
 * group, clinical labels, split, existing predictions) and the findings about them, following
 * CONFIG.md. Reads folder listings, CSVs and NIfTI headers; never decodes an image.
 */
import type { MedsegConfig } from '../config/types';
import type { Finding } from '../findings';
import { readNiftiHeader } from '../io';
import { generateBestSplits } from '../splits';
import { entriesToCases, type SliceCounter } from './cases';
import { applyClinicalLabels } from './clinicalLabels';
import { FolderListing } from './folderListing';
import { formulaLikeIdFinding } from './formulaLikeIds';
import type { ImageEntry } from './imageEntry';
import { resolveImagesAndMasks } from './imagesAndMasks';
import { resolveMsdCases } from './msd';
import { findPredictions } from './predictions';
import { applySplitFile } from './splitFile';
import type { ResolvedDataset } from './types';

export interface ResolveDatasetOptions {
  signal?: AbortSignal;
  /** Axial slice count of a volume; the NIfTI header's dim[3] unless a test substitutes it. */
  countSlices?: SliceCounter;
}

export async function countNiftiSlices(file: string): Promise<number> {
  const { dims } = await readNiftiHeader(file);
  return dims[0] >= 3 ? dims[3] : 1;
}

export async function resolveDataset(config: MedsegConfig, options: ResolveDatasetOptions = {}): Promise<ResolvedDataset> {
  const { signal } = options;
  signal?.throwIfAborted();
  const findings: Finding[] = [];
  const listing = new FolderListing(signal);

  let entries: ImageEntry[] = [];
  if (config.dataset.msd !== undefined) entries = await resolveMsdCases(config, listing, findings, signal);
  else if (config.dataset.images !== undefined) entries = await resolveImagesAndMasks(config, listing, findings, signal);
  // With neither, the config parser has already reported `config/no-images`.

  await findPredictions(config, entries, listing, findings, signal);
  const cases = await entriesToCases(entries, config.dataset.volumes, options.countSlices ?? countNiftiSlices, findings, signal);
  const formulaIds = formulaLikeIdFinding(config, cases);
  if (formulaIds) findings.push(formulaIds);

  let labelColumns: string[] = [];
  if (config.dataset.labels !== undefined && cases.length > 0) {
    labelColumns = await applyClinicalLabels(config, cases, findings, signal);
  }

  let splitSource: ResolvedDataset['splitSource'] = 'none';
  const splits = config.splits;
  if (splits?.file !== undefined && cases.length > 0) {
    if (await applySplitFile(config, cases, findings, signal)) splitSource = 'file';
  } else if (splits?.generate !== undefined && cases.length > 0) {
    signal?.throwIfAborted();
    const { ratios, stratify, seed, tries } = splits.generate;
    const assignment = generateBestSplits(cases, { ratios, stratify, seed, tries });
    for (const c of cases) c.split = assignment.get(c.id);
    splitSource = 'generated';
  }

  return { cases, splitSource, labelColumns, findings };
}
