/**
 * Names that become one folder or file name (the experiment, models, parts of image ids): what
 * every platform we write to accepts. The config refuses names that break these rules; the results
 * folder's joins (results/resultPath) and file names (results/fileNames) rely on them.
 */

/** Windows device names: `CON` or `con.png` opens the device, in any folder. */
export const RESERVED_DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\.|$)/i;

/**
 * The schema's `pattern` for `name` and `models[].name` (a test holds the schema to it): letters,
 * digits, `.`, `_`, `-`, not ending in a dot (so never `.` or `..`), not a Windows device name.
 */
export const SAFE_NAME_PATTERN =
  '^(?!(?:[Cc][Oo][Nn]|[Pp][Rr][Nn]|[Aa][Uu][Xx]|[Nn][Uu][Ll]|[Cc][Oo][Mm][0-9]|[Ll][Pp][Tt][0-9])(?:\\.|$))[A-Za-z0-9._-]*[A-Za-z0-9_-]$';

/** What a name that fails SAFE_NAME_PATTERN must change, worded for findings. */
export const SAFE_NAME_RULE = 'letters, digits, `.`, `_` and `-`, not ending in a dot, and not a Windows device name (CON, PRN, AUX, NUL, COM1…, LPT1…)';

/** Why `name` cannot be one folder or file name on every platform we write to; undefined when it can. */
export function segmentProblem(name: string): string | undefined {
  if (name === '') return 'is empty';
  if (name === '.' || name === '..') return `is \`${name}\`, which names ${name === '.' ? 'the folder itself' : 'the parent folder'}`;
  if (/[/\\]/.test(name)) return 'holds a path separator';
  if (/[\x00-\x1f\x7f]/.test(name)) return 'holds a control character';
  if (/[<>:"|?*]/.test(name)) return 'holds a character Windows does not allow in file names (<>:"|?*)';
  if (/[. ]$/.test(name)) return 'ends in a dot or a space, which Windows drops';
  if (RESERVED_DEVICE.test(name)) return `is the Windows device name \`${name.split('.')[0]}\``;
  return undefined;
}
