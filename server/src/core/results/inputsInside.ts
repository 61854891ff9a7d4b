/**
 * A results folder never holds dataset inputs: results are written by replacing files, so a
 * results folder equal to (or above) the masks folder would replace reference masks by predictions.
 * Checked before anything is written, on real paths (a symlinked `--output` is seen through).
 */
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { MedsegConfig } from '../config/types';
import type { ResolvedDataset } from '../dataset/types';
import { InputError } from '../findings';

export const HOLDS_INPUTS_CODE = 'results/holds-inputs';

/** The dataset's files: images, masks, prediction files, the clinical CSV, the split file, an MSD dataset.json (all absolute). */
export function* datasetInputFiles(config: MedsegConfig, dataset: ResolvedDataset): Generator<string> {
  if (config.dataset.labels) yield config.dataset.labels;
  if (config.dataset.msd) yield join(config.dataset.msd, 'dataset.json');
  if (config.splits?.file) yield resolve(config.dir, config.splits.file);
  for (const c of dataset.cases) {
    yield c.image;
    if (c.mask) yield c.mask;
    for (const p of Object.values(c.predictions)) yield p;
  }
}

/** The real path of `path`, through its nearest existing ancestor when it does not exist yet. */
function realPath(path: string): string {
  const full = resolve(path);
  let head = full;
  while (!existsSync(head) && dirname(head) !== head) head = dirname(head);
  try {
    return join(realpathSync(head), relative(head, full));
  } catch {
    return full;
  }
}

const caseless = process.platform === 'win32' || process.platform === 'darwin';
const key = (p: string) => (caseless ? p.toLowerCase() : p);

/**
 * Throws an InputError (`results/holds-inputs`) naming the folder and the first input inside it
 * when `outputDir` is, or lies above, a folder the inputs are in.
 */
export function checkHoldsNoInputs(outputDir: string, inputs: Iterable<string>): void {
  const out = key(realPath(outputDir));
  const seen = new Set<string>();
  for (const file of inputs) {
    const folder = dirname(file);
    if (seen.has(folder)) continue;
    seen.add(folder);
    for (const dir of new Set([folder, realPath(folder)])) {
      const k = key(dir);
      if (k !== out && !k.startsWith(out.endsWith(sep) ? out : out + sep)) continue;
      throw new InputError(
        outputDir,
        `The results folder ${outputDir} holds dataset inputs (${file}): results replace files there, so they could overwrite the dataset. Choose a results folder outside the dataset (\`output\` / \`--output\`, or another \`name\`).`,
        HOLDS_INPUTS_CODE,
      );
    }
  }
}
