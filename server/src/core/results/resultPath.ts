/**
 * Every path under a results folder is made by `resultPath`: a name that is `.`, `..`, empty or
 * holds a separator would put a file beside or above the folder (an experiment named `..` with a
 * model named `.` once wrote predictions over the dataset's reference masks). Names that become
 * folders (the experiment, models) are checked once more in the config, with a message that says
 * which key to change.
 */
import { join } from 'node:path';
import type { MedsegConfig } from '../config/types';
import { InputError } from '../findings';
import { SAFE_NAME_RULE, segmentProblem } from '../util/pathSegment';

export const PATH_OUTSIDE_CODE = 'results/path-outside';

/**
 * Why one part of a path cannot be joined under a results folder. What leaves the folder is refused
 * everywhere; on Windows also what it would read as a device or a stream (`a:b`). `:` stays allowed
 * elsewhere because fusion folders are `fusion:union` there (RESULTS.md).
 */
function joinProblem(part: string): string | undefined {
  if (part === '' || part === '.' || part === '..' || /[\\\x00]/.test(part)) return segmentProblem(part) ?? 'holds a NUL character';
  return process.platform === 'win32' ? segmentProblem(part) : undefined;
}

/**
 * `root` joined with `segments`, each of which may hold `/` (ids such as `case_00000/imaging` are
 * sub-folders). Throws an InputError naming the path when a part would leave `root` or alias it;
 * a path whose parts all pass cannot lead outside `root` (no `..`, no separator inside a part).
 */
export function resultPath(root: string, ...segments: string[]): string {
  for (const segment of segments) {
    for (const part of segment.split('/')) {
      const problem = joinProblem(part);
      if (problem === undefined) continue;
      const path = join(root, ...segments);
      throw new InputError(
        path,
        `${path} is not written: the name \`${segment}\` ${problem}, so the file would not lie inside the results folder ${root}. Rename the experiment or model (${SAFE_NAME_RULE}).`,
        PATH_OUTSIDE_CODE,
      );
    }
  }
  return join(root, ...segments);
}

/** The results folder of a run: `override` (`--output`), else `<output>/<name>` of the config. */
export function resultsFolderOf(config: Pick<MedsegConfig, 'output' | 'name'>, override?: string): string {
  return override ?? resultPath(config.output, config.name);
}
