/**
 * The explicit layout: an image glob plus a mask template or glob (CONFIG.md `dataset.images`,
 * `dataset.masks`).
 */
import { basename, dirname, relative, sep } from 'node:path';
import { glob } from 'tinyglobby';
import type { MedsegConfig } from '../config/types';
import type { Finding } from '../findings';
import { pushAll } from '../util/arrays';
import { IMAGE_EXTENSIONS, imageExtension, stripImageExtension } from '../io/extensions';
import { displayPath, perItemOrAggregated, plural, previewList } from './findingHelpers';
import type { FolderListing } from './folderListing';
import { assignImageIds, dropDuplicateIds, globBase } from './imageIds';
import type { ImageEntry } from './imageEntry';
import { fillTemplate, isGlobPattern, templateVarsOf } from './pathTemplate';

/** Absolute, sorted paths of the files `pattern` matches, and how many of them are images. */
export async function listImageFiles(pattern: string, dir: string, signal?: AbortSignal): Promise<{ images: string[]; matched: number }> {
  signal?.throwIfAborted();
  const matched = await glob([pattern], { cwd: dir, absolute: true, onlyFiles: true, signal });
  signal?.throwIfAborted();
  const images = matched.filter((f) => imageExtension(f) !== undefined).sort();
  return { images, matched: matched.length };
}

export async function resolveImagesAndMasks(
  config: MedsegConfig,
  listing: FolderListing,
  findings: Finding[],
  signal?: AbortSignal,
): Promise<ImageEntry[]> {
  const pattern = config.dataset.images!;
  const imagesBase = globBase(pattern, config.dir);
  const listed = await listImageFiles(pattern, config.dir, signal);
  if (listed.images.length === 0) {
    findings.push(noImagesFinding(config, pattern, imagesBase, listed.matched));
    return [];
  }
  const masks = config.dataset.masks;
  let files = listed.images;

  if (masks !== undefined && isGlobPattern(masks)) {
    const maskFiles = (await listImageFiles(masks, config.dir, signal)).images;
    // `images: data/*.png` with `masks: data/*_mask.png` is a common layout: a mask is not an image.
    const maskSet = new Set(maskFiles);
    files = files.filter((f) => !maskSet.has(f));
    const entries = makeEntries(config, files, imagesBase, findings);
    pairMasksByGlob(config, entries, maskFiles, imagesBase, globBase(masks, config.dir), findings);
    return entries;
  }

  let maskPaths = new Map<string, string>();
  if (masks !== undefined) {
    maskPaths = new Map(files.map((f) => [f, fillTemplate(masks, templateVarsOf(f), config.dir)]));
    // Same reason as above: drop images that are another image's mask.
    const otherMasks = new Set([...maskPaths].filter(([image, mask]) => image !== mask).map(([, mask]) => mask));
    files = files.filter((f) => !otherMasks.has(f));
  }
  const entries = makeEntries(config, files, imagesBase, findings);
  if (masks === undefined) return entries; // the config parser reports the missing `masks`
  const missing: { entry: ImageEntry; expected: string }[] = [];
  const expected = entries.map((entry) => maskPaths.get(entry.image)!);
  const present = await listing.existing(expected);
  entries.forEach((entry, i) => {
    if (present[i]) entry.mask = expected[i];
    else missing.push({ entry, expected: expected[i] });
  });
  pushAll(
    findings,
    perItemOrAggregated(
      missing,
      ({ entry, expected }) => ({
        code: 'dataset/missing-mask',
        severity: 'error',
        message: `No mask for image \`${entry.id}\`: \`${displayPath(config.dir, expected)}\` does not exist. Add it, or fix the \`masks\` template.`,
        location: { file: config.file },
        configPath: ['dataset', 'masks'],
      }),
      (all) => ({
        code: 'dataset/missing-mask',
        severity: 'error',
        message:
          `${all.length} of ${entries.length} images have no mask: ${previewList(all.map((m) => m.entry.id))}. ` +
          `The template expects e.g. \`${displayPath(config.dir, all[0].expected)}\`: fix the \`masks\` template or add the files.`,
        location: { file: config.file },
        configPath: ['dataset', 'masks'],
      }),
    ),
  );
  return entries;
}

function makeEntries(config: MedsegConfig, files: readonly string[], imagesBase: string, findings: Finding[]): ImageEntry[] {
  const ids = assignImageIds(files, imagesBase);
  const entries = files.map((image, i) => ({ id: ids[i], image, vars: templateVarsOf(image), predictions: {} }));
  return dropDuplicateIds(entries, config.file, ['dataset', 'images'], findings);
}

function noImagesFinding(config: MedsegConfig, pattern: string, searched: string, matched: number): Finding {
  const where = `\`${pattern}\` (searched in \`${searched}\`)`;
  return {
    code: 'dataset/no-images',
    severity: 'error',
    message:
      matched === 0
        ? `\`dataset.images\` matches no file: ${where}. Check the pattern and that the folder exists.`
        : `\`dataset.images\` matches ${plural(matched, 'file')} but no image: ${where}. Images are ${IMAGE_EXTENSIONS.join(', ')}.`,
    location: { file: config.file },
    configPath: ['dataset', 'images'],
  };
}

/** Folder of `file` relative to `base`, `/`-separated (`''` for files directly in `base`). */
function relativeFolder(file: string, base: string): string {
  const rel = dirname(relative(base, file));
  return rel === '.' ? '' : rel.split(sep).join('/');
}

const STEM_SEPARATORS = '_-.';

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * Pairs each listed mask with the image whose stem equals the mask's stem, or else is the longest
 * prefix of it followed by `_`, `-` or `.` (ISIC: `ISIC_0000000_segmentation` → `ISIC_0000000`).
 * Where stems repeat (one stem per folder, KiTS-style) the relative folders must match too.
 */
function pairMasksByGlob(
  config: MedsegConfig,
  entries: ImageEntry[],
  maskFiles: readonly string[],
  imagesBase: string,
  masksBase: string,
  findings: Finding[],
): void {
  const byStem = new Map<string, ImageEntry[]>();
  const byFolder = new Map<string, ImageEntry[]>();
  const folderOf = new Map<ImageEntry, string>();
  for (const e of entries) {
    const folder = relativeFolder(e.image, imagesBase);
    folderOf.set(e, folder);
    pushTo(byStem, e.vars.stem, e);
    pushTo(byFolder, folder, e);
  }
  const stemsUnique = [...byStem.values()].every((list) => list.length === 1);
  const masksPerFolder = new Map<string, number>();
  for (const m of maskFiles) {
    const folder = relativeFolder(m, masksBase);
    masksPerFolder.set(folder, (masksPerFolder.get(folder) ?? 0) + 1);
  }

  const exactPair = new Set<ImageEntry>();
  const orphans: string[] = [];
  const extras: { mask: string; entry: ImageEntry }[] = [];
  for (const mask of maskFiles) {
    const stem = stripImageExtension(basename(mask));
    const folder = relativeFolder(mask, masksBase);
    let exact = true;
    let candidates = byStem.get(stem);
    if (!candidates) {
      exact = false;
      for (let i = stem.length - 1; i > 0 && !candidates; i--) {
        if (STEM_SEPARATORS.includes(stem[i])) candidates = byStem.get(stem.slice(0, i));
      }
    }
    if (candidates && candidates.length > 1) candidates = candidates.filter((e) => folderOf.get(e) === folder);
    if ((!candidates || candidates.length === 0) && !stemsUnique && masksPerFolder.get(folder) === 1) {
      // One image and one mask in the same relative folder (`case_00000/imaging` + `case_00000/segmentation`).
      const inFolder = byFolder.get(folder);
      if (inFolder?.length === 1) candidates = inFolder;
    }
    if (!candidates || candidates.length !== 1) {
      orphans.push(mask);
      continue;
    }
    const entry = candidates[0];
    if (entry.mask === undefined) {
      entry.mask = mask;
      if (exact) exactPair.add(entry);
    } else if (exact && !exactPair.has(entry)) {
      // An exact stem match beats a prefix match found earlier (`a.png` over `a_old.png`).
      extras.push({ mask: entry.mask, entry });
      entry.mask = mask;
      exactPair.add(entry);
    } else {
      extras.push({ mask, entry });
    }
  }

  const masksPattern = config.dataset.masks!;
  const missing = entries.filter((e) => e.mask === undefined);
  pushAll(
    findings,
    perItemOrAggregated(
      missing,
      (e) => ({
        code: 'dataset/missing-mask',
        severity: 'error',
        message: `No mask for image \`${e.id}\` among the files of \`${masksPattern}\` (a mask's name is the image's stem \`${e.vars.stem}\`, alone or followed by \`_\`, \`-\` or \`.\`).`,
        location: { file: config.file },
        configPath: ['dataset', 'masks'],
      }),
      (all) => ({
        code: 'dataset/missing-mask',
        severity: 'error',
        message: `${all.length} of ${entries.length} images have no mask among the files of \`${masksPattern}\`: ${previewList(all.map((e) => e.id))}. A mask's name is the image's stem, alone or followed by \`_\`, \`-\` or \`.\`.`,
        location: { file: config.file },
        configPath: ['dataset', 'masks'],
      }),
    ),
    perItemOrAggregated(
      orphans,
      (m) => ({
        code: 'dataset/orphan-mask',
        severity: 'warning',
        message: `Mask \`${displayPath(config.dir, m)}\` belongs to no image of \`${config.dataset.images}\`; it is ignored.`,
        location: { file: config.file },
        configPath: ['dataset', 'masks'],
      }),
      (all) => ({
        code: 'dataset/orphan-mask',
        severity: 'warning',
        message: `${all.length} masks belong to no image of \`${config.dataset.images}\` and are ignored: ${previewList(all.map((m) => displayPath(config.dir, m)))}.`,
        location: { file: config.file },
        configPath: ['dataset', 'masks'],
      }),
    ),
    perItemOrAggregated(
      extras,
      ({ mask, entry }) => ({
        code: 'dataset/extra-mask',
        severity: 'warning',
        message: `Image \`${entry.id}\` has more than one mask; \`${displayPath(config.dir, entry.mask!)}\` is used, \`${displayPath(config.dir, mask)}\` is ignored.`,
        location: { file: config.file },
        configPath: ['dataset', 'masks'],
      }),
      (all) => ({
        code: 'dataset/extra-mask',
        severity: 'warning',
        message: `${all.length} images have more than one mask (the exact stem match, else the first, is used): ${previewList(all.map((x) => x.entry.id))}.`,
        location: { file: config.file },
        configPath: ['dataset', 'masks'],
      }),
    ),
  );
}
