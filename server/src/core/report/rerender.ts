/**
 * report.html redrawn from what a results folder holds — summary.json, per_image.csv and, when
 * there, stress.json and the explain.json files — without inference: after `medseg compare` has
 * rewritten the statistics, after `medseg stress` has written stress.json and after
 * `medseg explain` has written its heatmaps beside an evaluation.
 */
import { join } from 'node:path';
import { InputError, type Finding } from '../findings';
import { withResultsLock } from '../results/lock';
import type { PerImageTable } from '../results/perImageTable';
import { readPerImageTable } from '../results/readPerImage';
import type { EvaluationSummary } from '../results/summary';
import { readJsonIfPresent } from '../util/jsonFile';
import { writeReport, type ReportContext } from './index';
import { REPORT_FILE, reportFailedFinding } from './staleReport';

export interface StoredEvaluation {
  summary: EvaluationSummary;
  table: PerImageTable;
}

const SUMMARY_FILE = 'summary.json';

/**
 * summary.json and per_image.csv of a results folder; undefined when the folder holds no
 * evaluation (no summary.json); an InputError naming the file and the fix when one is broken.
 */
export async function readStoredEvaluation(outputDir: string): Promise<StoredEvaluation | undefined> {
  const file = join(outputDir, SUMMARY_FILE);
  const summary = (await readJsonIfPresent(file, 'results/unreadable', 'run `medseg evaluate` again')) as EvaluationSummary | undefined;
  if (summary === undefined) return undefined;
  if (!summary || typeof summary !== 'object' || !summary.methods || typeof summary.split !== 'string') {
    throw new InputError(file, `${file} is not a summary written by \`medseg evaluate\` (no methods or split); run \`medseg evaluate\` again.`, 'results/unreadable');
  }
  return { summary, table: await readPerImageTable(join(outputDir, 'per_image.csv')) };
}

/** Writes `<outputDir>/report.html` for a stored evaluation; `cases` may be the whole dataset (the evaluated ones are picked). */
export async function rerenderReport(outputDir: string, evaluation: StoredEvaluation, ctx: ReportContext): Promise<string> {
  const ids = new Set(evaluation.table.imageIds);
  return writeReport(outputDir, evaluation.summary, evaluation.table, { ...ctx, cases: ctx.cases.filter((c) => ids.has(c.id)), datasetCases: ctx.cases });
}

/**
 * Redraws report.html when `outputDir` holds an evaluation (after stress.json or explain.json was
 * written beside it): the report's path, nothing when there is no evaluation to draw, or a warning finding when
 * it cannot be drawn — the results themselves are never lost over a report.
 */
export async function refreshReport(outputDir: string, ctx: ReportContext): Promise<{ report?: string; finding?: Finding }> {
  try {
    // Under the folder's lock: another run writing there meanwhile is a warning, not a mixed report.
    return await withResultsLock(outputDir, `redraw report.html (${ctx.command})`, async () => {
      const stored = await readStoredEvaluation(outputDir);
      if (!stored) return {};
      try {
        return { report: await rerenderReport(outputDir, stored, ctx) };
      } catch (err) {
        // The folder changed (stress.json) and its report could not follow: the old one goes.
        return { finding: await reportFailedFinding(outputDir, err, { file: join(outputDir, REPORT_FILE) }) };
      }
    });
  } catch (err) {
    const file = err instanceof InputError ? err.file : join(outputDir, 'report.html');
    return { finding: { code: 'report/failed', severity: 'warning', message: `report.html was not redrawn: ${(err as Error).message}`, location: { file } } };
  }
}
