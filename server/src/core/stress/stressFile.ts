/**
 * Where `stress.json` lives (beside summary.json) and how it is read back: by the report, the
 * dashboard's results request, and anyone who wants the stress results without re-running them.
 * Depends on nothing but the file system, so the report module can read it without importing
 * the stress pipeline (which itself runs evaluations that write reports).
 */
import { join } from 'node:path';
import { InputError } from '../findings';
import { readJsonIfPresent } from '../util/jsonFile';
import type { StressReport } from './types';

export const STRESS_FILE = 'stress.json';

/** `stress.json` of a results folder; an InputError naming the file and the fix when it is missing or broken. */
export async function readStressReport(outputDir: string): Promise<StressReport> {
  const report = await readStressReportIfPresent(outputDir);
  if (!report) {
    const file = join(outputDir, STRESS_FILE);
    throw new InputError(file, `${file} does not exist: run \`medseg stress\` on the config first.`, 'stress/not-found');
  }
  return report;
}

/** `stress.json` of a results folder, or undefined when the folder has none; an InputError when it is not one. */
export async function readStressReportIfPresent(outputDir: string): Promise<StressReport | undefined> {
  const file = join(outputDir, STRESS_FILE);
  const parsed = await readJsonIfPresent(file, 'stress/unreadable', 'run `medseg stress` again');
  if (parsed === undefined) return undefined;
  const r = parsed as Partial<StressReport> | null;
  if (!r || typeof r !== 'object' || !Array.isArray(r.methods) || typeof r.split !== 'string' || typeof r.drop_threshold !== 'number') {
    throw new InputError(file, `${file} is not a stress.json written by \`medseg stress\` (no methods, split or drop_threshold); run \`medseg stress\` again.`, 'stress/unreadable');
  }
  return r as StressReport;
}
