/**
 * report.html is self-contained evidence of one run. When a later run changed the folder's results
 * (or meant to) and then could not write its report, the old report would still open and look like
 * the current one: it is removed instead, and the finding says so. Marking it would need a write to
 * the very disk that just refused one.
 */
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { causeOf } from '../io/errors';

export const REPORT_FILE = 'report.html';

/** Removes `<outputDir>/report.html`; returns the sentence for the finding ('' when there was none). */
export async function discardStaleReport(outputDir: string): Promise<string> {
  const file = join(outputDir, REPORT_FILE);
  try {
    await unlink(file);
    return `The previous ${file} was removed, so no report shows older results as current.`;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    return `The previous ${file} could not be removed (${causeOf(err)}): it shows the results before this run.`;
  }
}
