/**
 * `medseg/stressTest` in the worker: a thin call into the engine's stress module (`medseg/umap`
 * is in umap.ts). A stress test also redraws the folder's report.html with its stress section.
 */
import type { StressTestResult } from '../../../protocol';
import { refreshReport } from '../../../core/report/rerender';
import { runStress } from '../../../core/stress';
import { placeOnConfig } from '../../../core/validate';
import { toFindingData } from '../findingData';
import type { JobParams } from '../protocol';
import type { JobContext } from './context';
import { parsedConfig } from './parsedConfig';

export async function stressJob(p: JobParams['stress'], ctx: JobContext): Promise<StressTestResult> {
  const { config, parsed } = parsedConfig(p, 'run the stress test');
  ctx.progress('Resolving dataset', 0);
  const dataset = await ctx.datasets.get(config, { signal: ctx.signal, maxAgeMs: 0 });
  const run = await runStress(config, dataset, {
    split: p.split,
    provider: p.provider,
    signal: ctx.signal,
    onProgress: (e) => ctx.progress(`${e.stage} ${e.done}/${e.total}`, e.total ? e.done / e.total : undefined),
  });
  ctx.progress('Redrawing report.html', 1);
  const args = [p.file, ...(p.split ? ['--split', p.split] : [])].join(' ');
  const redrawn = await refreshReport(run.outputDir, { config, cases: dataset.cases, command: `medseg evaluate ${args} && medseg stress ${args}` });
  const rows: StressTestResult['rows'] = [];
  for (const kind of run.report.perturbations?.kinds ?? []) {
    for (const [method, curve] of Object.entries(kind.methods)) {
      kind.levels.forEach((level, i) => {
        const dice = curve.mean_dice[i];
        const base = curve.mean_dice[0];
        rows.push({ perturbation: kind.kind, level: level.strength, method, ...(dice !== undefined ? { dice } : {}), ...(dice !== undefined && base !== undefined ? { drop: base - dice } : {}) });
      });
    }
  }
  const findings = [...run.findings, ...(redrawn.finding ? [redrawn.finding] : [])];
  return { outputDir: run.outputDir, rows, findings: findings.map((f) => toFindingData(placeOnConfig(f, parsed))) };
}
