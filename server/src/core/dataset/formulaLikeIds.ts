/**
 * Image ids that a spreadsheet would run as a formula. per_image.csv and the other results CSVs
 * keep ids exactly (they are keys that merge, compare and the user's own scripts join on), so
 * the user is told here, once, instead of the files being altered.
 */
import type { MedsegConfig } from '../config/types';
import type { Finding } from '../findings';
import { displayIdOf } from './caseLookup';
import { previewList } from './findingHelpers';
import type { DatasetCase } from './types';

/** The first characters that make Excel, LibreOffice and Google Sheets read a cell as a formula (OWASP's CSV injection list). */
const FORMULA_START = /^[=+\-@\t\r]/;

export function isFormulaLike(id: string): boolean {
  return FORMULA_START.test(id);
}

export function formulaLikeIdFinding(config: MedsegConfig, cases: readonly DatasetCase[]): Finding | undefined {
  const ids = [...new Set(cases.map(displayIdOf).filter(isFormulaLike))];
  if (ids.length === 0) return undefined;
  return {
    code: 'dataset/formula-like-id',
    severity: 'info',
    message:
      `${ids.length === 1 ? 'An image id starts' : `${ids.length} image ids start`} with \`=\`, \`+\`, \`-\` or \`@\` (${previewList(ids)}). ` +
      'The results CSVs keep ids exactly, so a spreadsheet that opens per_image.csv by double-click may run such an id as a formula: ' +
      'import the file with its columns as text (or read it with pandas or R), or rename the images.',
    location: { file: config.file },
    configPath: config.dataset.msd !== undefined ? ['dataset', 'msd'] : ['dataset', 'images'],
  };
}
