/**
 * Medical Segmentation Decathlon and nnU-Net raw folders (`dataset.msd`): the cases come from
 * `dataset.json` and the `imagesTr`/`labelsTr` (and `imagesTs`/`labelsTs`) folders beside it.
 *
 * - MSD: `training: [{ image, label }]`, `test: [image, …]`, `modality`, `labels`. Folders converted
 *   by nnU-Net v1 keep these lists but store `imagesTr/<case>_0000.nii.gz`: an image listed without
 *   its channel suffix is looked up with `_0000` when the plain name is absent.
 * - nnU-Net v2: `channel_names`, `labels`, `file_ending`, `numTraining` and no list: the cases are
 *   the `imagesTr/<case>_0000<file_ending>` files, labels are `labelsTr/<case><file_ending>`.
 *
 * A case's id is its name without channel suffix (`prostate_00`); its image is the `_0000`
 * channel. For templates, `{stem}` is the case name and `{name}` the case name with the file
 * ending (how nnU-Net names predictions).
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { MedsegConfig } from '../config/types';
import type { Finding } from '../findings';
import { pushAll } from '../util/arrays';
import { imageExtension, stripImageExtension } from '../io/extensions';
import { displayPath, perItemOrAggregated, previewList } from './findingHelpers';
import type { FolderListing } from './folderListing';
import { dropDuplicateIds } from './imageIds';
import type { ImageEntry } from './imageEntry';

type Json = Record<string, unknown>;

const CHANNEL_0 = '_0000';

interface MsdContext {
  config: MedsegConfig;
  folder: string;
  jsonFile: string;
  listing: FolderListing;
  findings: Finding[];
  signal?: AbortSignal;
}

export async function resolveMsdCases(
  config: MedsegConfig,
  listing: FolderListing,
  findings: Finding[],
  signal?: AbortSignal,
): Promise<ImageEntry[]> {
  const folder = config.dataset.msd!;
  const jsonFile = join(folder, 'dataset.json');
  const ctx: MsdContext = { config, folder, jsonFile, listing, findings, signal };
  const json = await readDatasetJson(ctx);
  if (!json) return [];
  signal?.throwIfAborted();
  if (Array.isArray(json.training)) return msdCases(ctx, json);
  if ('channel_names' in json || 'file_ending' in json) return nnUnetV2Cases(ctx, json);
  report(ctx, 'error', 'dataset/msd-unknown-format', `\`${jsonFile}\` has neither \`training\` (Decathlon) nor \`channel_names\`/\`file_ending\` (nnU-Net v2): is this a dataset.json of either kind?`);
  return [];
}

function report(ctx: MsdContext, severity: Finding['severity'], code: string, message: string): void {
  ctx.findings.push({ code, severity, message, location: { file: ctx.config.file }, configPath: ['dataset', 'msd'] });
}

async function readDatasetJson(ctx: MsdContext): Promise<Json | undefined> {
  let text: string;
  try {
    text = await readFile(ctx.jsonFile, 'utf8');
  } catch {
    report(ctx, 'error', 'dataset/msd-missing-json', `\`${ctx.jsonFile}\` does not exist: \`dataset.msd\` must name a Decathlon / nnU-Net raw folder that holds dataset.json.`);
    return undefined;
  }
  try {
    const json: unknown = JSON.parse(text);
    if (json !== null && typeof json === 'object' && !Array.isArray(json)) return json as Json;
    report(ctx, 'error', 'dataset/msd-invalid-json', `\`${ctx.jsonFile}\` must hold a JSON object.`);
  } catch (err) {
    report(ctx, 'error', 'dataset/msd-invalid-json', `\`${ctx.jsonFile}\` is not valid JSON: ${(err as Error).message}.`);
  }
  return undefined;
}

interface ListedCase {
  name: string;
  /** Image path as listed (may lack the channel suffix). */
  image: string;
  label?: string;
}

async function msdCases(ctx: MsdContext, json: Json): Promise<ImageEntry[]> {
  const training: ListedCase[] = [];
  let malformed = 0;
  for (const item of json.training as unknown[]) {
    const o = item as Json | null;
    if (!o || typeof o.image !== 'string') {
      malformed++;
      continue;
    }
    const image = resolve(ctx.folder, o.image);
    const label = typeof o.label === 'string' ? resolve(ctx.folder, o.label) : undefined;
    training.push({ name: stripImageExtension(basename(label ?? image)), image, label });
  }
  if (malformed > 0) {
    report(ctx, 'warning', 'dataset/msd-invalid-entry', `${malformed} entries of \`training\` in \`${ctx.jsonFile}\` have no \`image\` path and are skipped.`);
  }
  // Test images have no labels in a Decathlon release; one with a matching labelsTs file is
  // evaluable, so only those are listed.
  const test: ListedCase[] = [];
  for (const item of Array.isArray(json.test) ? (json.test as unknown[]) : []) {
    const path = typeof item === 'string' ? item : typeof (item as Json | null)?.image === 'string' ? ((item as Json).image as string) : undefined;
    if (path === undefined) continue;
    const image = resolve(ctx.folder, path);
    const name = stripImageExtension(basename(image));
    const label = join(ctx.folder, 'labelsTs', name + (imageExtension(image) ?? '.nii.gz'));
    if (await ctx.listing.exists(label)) test.push({ name, image, label });
  }

  const entries: ImageEntry[] = [];
  const missingImages: ListedCase[] = [];
  for (const c of [...training, ...test]) {
    ctx.signal?.throwIfAborted();
    const image = await existingChannelFile(ctx, c.image);
    if (!image) {
      missingImages.push(c);
      continue;
    }
    const ext = imageExtension(image) ?? '';
    entries.push({
      id: c.name,
      image,
      mask: c.label !== undefined && (await ctx.listing.exists(c.label)) ? c.label : undefined,
      vars: { stem: c.name, name: c.name + ext, dir: dirname(image), parent: basename(dirname(image)) },
      predictions: {},
    });
  }
  pushAll(
    ctx.findings,
    perItemOrAggregated(
      missingImages,
      (c) => ({
        code: 'dataset/missing-image',
        severity: 'error',
        message: `\`${ctx.jsonFile}\` lists \`${displayPath(ctx.folder, c.image)}\` for case \`${c.name}\`, but it does not exist.`,
        location: { file: ctx.config.file },
        configPath: ['dataset', 'msd'],
      }),
      (all) => ({
        code: 'dataset/missing-image',
        severity: 'error',
        message: `${all.length} images listed in \`${ctx.jsonFile}\` do not exist: ${previewList(all.map((c) => displayPath(ctx.folder, c.image)))}.`,
        location: { file: ctx.config.file },
        configPath: ['dataset', 'msd'],
      }),
    ),
  );
  reportMissingLabels(ctx, entries, new Map(training.concat(test).map((c) => [c.name, c.label])));
  checkCount(ctx, json, training.length);
  return dropDuplicateIds(entries, ctx.config.file, ['dataset', 'msd'], ctx.findings);
}

/** The listed file, else its `_0000` channel file (nnU-Net v1 conversion), else undefined. */
async function existingChannelFile(ctx: MsdContext, image: string): Promise<string | undefined> {
  if (await ctx.listing.exists(image)) return image;
  const ext = imageExtension(image) ?? '';
  const channel = join(dirname(image), stripImageExtension(basename(image)) + CHANNEL_0 + ext);
  return (await ctx.listing.exists(channel)) ? channel : undefined;
}

async function nnUnetV2Cases(ctx: MsdContext, json: Json): Promise<ImageEntry[]> {
  const ending = typeof json.file_ending === 'string' && json.file_ending ? json.file_ending : '.nii.gz';
  const suffix = CHANNEL_0 + ending;
  const entries: ImageEntry[] = [];
  const labels = new Map<string, string>();
  let trainingCount = 0;
  for (const [imagesDir, labelsDir] of [['imagesTr', 'labelsTr'], ['imagesTs', 'labelsTs']] as const) {
    const imageFolder = join(ctx.folder, imagesDir);
    const names = [...(await ctx.listing.filesIn(imageFolder))].filter((n) => n.endsWith(suffix)).sort();
    for (const fileName of names) {
      const name = fileName.slice(0, fileName.length - suffix.length);
      const label = join(ctx.folder, labelsDir, name + ending);
      const hasLabel = await ctx.listing.exists(label);
      // Test cases count only with a label (see the MSD branch).
      if (imagesDir === 'imagesTs' && !hasLabel) continue;
      if (imagesDir === 'imagesTr') trainingCount++;
      labels.set(name, label);
      entries.push({
        id: name,
        image: join(imageFolder, fileName),
        mask: hasLabel ? label : undefined,
        vars: { stem: name, name: name + ending, dir: imageFolder, parent: basename(imageFolder) },
        predictions: {},
      });
    }
  }
  if (trainingCount === 0) {
    report(ctx, 'error', 'dataset/no-images', `\`${join(ctx.folder, 'imagesTr')}\` holds no \`*${suffix}\` file (nnU-Net v2 names images \`<case>${suffix}\`, from \`file_ending\` in dataset.json).`);
    return [];
  }
  reportMissingLabels(ctx, entries, labels);
  checkCount(ctx, json, trainingCount);
  return dropDuplicateIds(entries, ctx.config.file, ['dataset', 'msd'], ctx.findings);
}

function reportMissingLabels(ctx: MsdContext, entries: readonly ImageEntry[], labels: ReadonlyMap<string, string | undefined>): void {
  const missing = entries.filter((e) => e.mask === undefined);
  pushAll(
    ctx.findings,
    perItemOrAggregated(
      missing,
      (e) => {
        const expected = labels.get(e.id);
        return {
          code: 'dataset/missing-mask',
          severity: 'error',
          message: expected
            ? `No label for case \`${e.id}\`: \`${displayPath(ctx.folder, expected)}\` does not exist.`
            : `Case \`${e.id}\` has no \`label\` in \`${ctx.jsonFile}\`.`,
          location: { file: ctx.config.file },
          configPath: ['dataset', 'msd'],
        };
      },
      (all) => ({
        code: 'dataset/missing-mask',
        severity: 'error',
        message: `${all.length} of ${entries.length} cases have no label file in \`${ctx.folder}\`: ${previewList(all.map((e) => e.id))}.`,
        location: { file: ctx.config.file },
        configPath: ['dataset', 'msd'],
      }),
    ),
  );
}

function checkCount(ctx: MsdContext, json: Json, found: number): void {
  if (typeof json.numTraining === 'number' && json.numTraining !== found) {
    report(ctx, 'warning', 'dataset/msd-count-mismatch', `\`${ctx.jsonFile}\` says \`numTraining: ${json.numTraining}\` but ${found} training cases were found.`);
  }
}
