/**
 * The stress section of the report as plain curve data (the report's `ReportCurve` shape):
 * one degradation curve per perturbation and method, and per label column the mean Dice of each
 * method across its mix scenarios (x = scenario index, scenario names in the note).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../findings';
import { STRESS_FILE } from './stressPipeline';
import type { ReportCurve } from '../../../../client/src/webview/reportData';
import type { StressReport } from './types';

/** A curve of the report (its `target` line: the Dice at which the method counts as broken). */
export type StressCurve = ReportCurve;

const NaNless = (v: number | null | undefined) => (typeof v === 'number' ? v : NaN);

export function stressReportCurves(report: StressReport): StressCurve[] {
  const curves: StressCurve[] = [];
  for (const kind of report.perturbations?.kinds ?? []) {
    for (const [method, c] of Object.entries(kind.methods)) {
      const base = c.mean_dice[0];
      const drop = c.drop
        ? `Dice drops by ${report.drop_threshold} at ${kind.graded ? `${+c.drop.strength.toPrecision(3)} (${kind.unit})` : c.drop.level}`
        : `Dice stays within ${report.drop_threshold} of ${base === undefined || base === null ? '–' : base.toFixed(3)} at every tested strength`;
      const changed = kind.swaps.findIndex((s) => s.length > 0);
      curves.push({
        name: `${kind.kind}: ${method}`,
        x: kind.levels.map((l) => l.strength),
        y: c.mean_dice.map(NaNless),
        lo: c.ci95.map((ci) => NaNless(ci?.[0])),
        hi: c.ci95.map((ci) => NaNless(ci?.[1])),
        xLabel: kind.unit,
        yLabel: 'mean Dice',
        target: base === undefined || base === null ? undefined : base - report.drop_threshold,
        note: `${drop}${changed > 0 ? `; the ranking of methods changes from ${kind.levels[changed].label}` : ''}.`,
      });
    }
  }
  const mixes = report.label_mixes;
  if (mixes) {
    const columns = [...new Set(mixes.scenarios.map((s) => s.column))];
    for (const column of columns) {
      const scenarios = mixes.scenarios.filter((s) => s.column === column);
      const names = ['test split', ...scenarios.map((s) => s.name)];
      for (const method of report.methods) {
        const points = [mixes.baseline.methods[method]?.dice, ...scenarios.map((s) => s.methods[method]?.dice)];
        const changed = scenarios.filter((s) => s.ranking_changed).map((s) => s.name);
        curves.push({
          name: `label mix (${column}): ${method}`,
          x: names.map((_, i) => i),
          y: points.map((p) => NaNless(p?.mean)),
          lo: points.map((p) => NaNless(p?.ci95?.[0])),
          hi: points.map((p) => NaNless(p?.ci95?.[1])),
          xLabel: `scenario: ${names.map((n, i) => `${i} = ${n}`).join(', ')}`,
          yLabel: 'mean Dice',
          note: changed.length ? `ranking changes under ${changed.join(', ')}` : 'ranking as on the test split under every mix',
        });
      }
    }
  }
  return curves;
}

/** Reads `stress.json` from a results folder. */
export async function readStressReport(outputDir: string): Promise<StressReport> {
  const file = join(outputDir, STRESS_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new InputError(file, `${file} does not exist: run \`medseg stress\` on the config first.`, 'stress/not-found');
  }
  try {
    return JSON.parse(text) as StressReport;
  } catch (err) {
    throw new InputError(file, `${file} is not valid JSON (${(err as Error).message}); run \`medseg stress\` again.`, 'stress/unreadable');
  }
}
