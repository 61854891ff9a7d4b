/**
 * The report's "Stress tests" section: stress.json of the results folder, when `medseg stress`
 * has run there, shaped for the charts. A stress.json that cannot be read never costs the report:
 * the section then says what is wrong with the file and how to fix it.
 */
import type { ReportStress } from '../../protocol/reportData';
import { InputError } from '../findings';
import { stressReportSection, type EvaluationShown } from '../stress/reportCurves';
import { readStressReportIfPresent } from '../stress/stressFile';

export async function reportStressSection(outputDir: string, shown: EvaluationShown & { experiment: string }): Promise<ReportStress | undefined> {
  try {
    const report = await readStressReportIfPresent(outputDir);
    return report && stressReportSection(report, shown);
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    return { experiment: shown.experiment, split: shown.split, time: '', seed: 0, repeats: 0, dropThreshold: 0, labelMixes: [], perturbations: [], notes: [], problem: err.message };
  }
}
