/**
 * report.html is self-contained evidence of one run. When a later run changed the folder's results
 * (or meant to) and then could not write its report, the old report would still open and look like
 * the current one: it is removed instead, and the finding says so. Marking it would need a write to
 * the very disk that just refused one.
 */
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Finding, Location } from '../findings';
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

/** The warning for a report.html that could not be written or redrawn, after the stale one is removed. */
export async function reportFailedFinding(outputDir: string, error: unknown, location: Location): Promise<Finding> {
  const stale = await discardStaleReport(outputDir);
  return {
    code: 'report/failed',
    severity: 'warning',
    message: `${join(outputDir, REPORT_FILE)} was not written: ${(error as Error).message}${stale ? ` ${stale}` : ''} The other results are written; \`medseg compare ${outputDir}\` draws the report again from them.`,
    location,
  };
}
