/**
 * The one wording of `--output DIR` in every command's help. It names the results folder itself,
 * while the config's `output:` is the folder that holds one results folder per experiment name
 * (`<output>/<name>/`): the two must not read alike.
 */
export function outputFlagHelp(column: number, what: 'results' | 'merged results' = 'results'): string {
  return [
    `${'  --output DIR'.padEnd(column)}write the ${what} into DIR itself, not into DIR/<name>/`,
    `${' '.repeat(column)}(default: <output>/<name>/, from the config's output: and name:)`,
  ].join('\n');
}

/** For commands whose folder is a required argument (merge): the same rule in one sentence. */
export const OUTPUT_IS_THE_FOLDER =
  '--output DIR is the results folder itself: the files go straight into DIR (the config\'s output:\nis different: it holds one folder per experiment name, <output>/<name>/).';
