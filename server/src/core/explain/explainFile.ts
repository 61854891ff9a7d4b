/**
 * Where explain.json lives and how it is read back. `<results>/explain.json` is the last run's;
 * each run also leaves its own at `explain/<method>/explain.json`, beside the method's rows, so a
 * folder explained with Grad-CAM and then with Score-CAM still holds both summaries (the report
 * and the dashboard show every method). Depends on nothing but the file system, so the report
 * can read it without loading the explainers.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../findings';
import { writeFileAtomic } from '../io';
import { resultPath } from '../results/resultPath';
import { readJsonIfPresent } from '../util/jsonFile';
import { formatExplainJson, type ExplainReport } from './explainReport';
import { CAM_METHODS, type CamMethod } from './methods';

export const EXPLAIN_FILE = 'explain.json';
export const EXPLAIN_UNREADABLE_CODE = 'explain/unreadable';

/** The last run's report, and the report kept per method. */
export function explainReportFiles(outputDir: string, method: CamMethod): { latest: string; method: string } {
  return { latest: resultPath(outputDir, EXPLAIN_FILE), method: resultPath(outputDir, 'explain', method, EXPLAIN_FILE) };
}

/** Writes the run's report as the folder's explain.json and as its method's. */
export async function writeExplainReport(outputDir: string, report: ExplainReport): Promise<void> {
  const files = explainReportFiles(outputDir, report.method);
  const text = formatExplainJson(report);
  await writeFileAtomic(files.method, text);
  await writeFileAtomic(files.latest, text);
}

/** Whether `medseg explain` has written anything into the folder (a cheap check before reading). */
export function hasExplainResults(outputDir: string): boolean {
  return existsSync(join(outputDir, EXPLAIN_FILE)) || existsSync(join(outputDir, 'explain'));
}

function isMethod(x: unknown): x is CamMethod {
  return typeof x === 'string' && (CAM_METHODS as readonly string[]).includes(x);
}

/** The file parsed and checked to be an explain.json; undefined when absent; an InputError when it is not one. */
async function readReportFile(file: string): Promise<ExplainReport | undefined> {
  const parsed = await readJsonIfPresent(file, EXPLAIN_UNREADABLE_CODE, 'run `medseg explain` again');
  if (parsed === undefined) return undefined;
  const r = parsed as Partial<ExplainReport> | null;
  const models = r?.models;
  const modelsOk = !!models && typeof models === 'object' && !Array.isArray(models) && Object.values(models).every((m) => !!m && typeof m === 'object' && !!m.summary && typeof m.summary === 'object');
  if (!r || typeof r !== 'object' || !isMethod(r.method) || typeof r.split !== 'string' || !modelsOk) {
    throw new InputError(file, `${file} is not an explain.json written by \`medseg explain\` (no known method, split or models); run \`medseg explain\` again.`, EXPLAIN_UNREADABLE_CODE);
  }
  return { ...r, comparisons: Array.isArray(r.comparisons) ? r.comparisons : [], families: Array.isArray(r.families) ? r.families : [], failures: Array.isArray(r.failures) ? r.failures : [] } as ExplainReport;
}

export interface StoredExplainReports {
  /** One report per method, the newest where the folder's explain.json and the method's both exist, in CAM_METHODS order. */
  reports: ExplainReport[];
  /** Files that exist but cannot be read: an InputError each (file and fix), the other methods are still read. */
  problems: InputError[];
}

/** Every explain.json of a results folder (the last run's and each method's). */
export async function readExplainReports(outputDir: string): Promise<StoredExplainReports> {
  const problems: InputError[] = [];
  const attempt = async (file: string) => {
    try {
      return await readReportFile(file);
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      problems.push(err);
      return undefined;
    }
  };
  const latest = await attempt(resultPath(outputDir, EXPLAIN_FILE));
  const reports: ExplainReport[] = [];
  for (const method of CAM_METHODS) {
    const own = await attempt(explainReportFiles(outputDir, method).method);
    // A folder explained before per-method files existed has only explain.json; ISO times order as text.
    const candidates = [own, latest?.method === method ? latest : undefined].filter((r): r is ExplainReport => !!r);
    if (candidates.length) reports.push(candidates.reduce((a, b) => (String(b.time ?? '') > String(a.time ?? '') ? b : a)));
  }
  return { reports, problems };
}
