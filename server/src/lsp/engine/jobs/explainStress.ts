/**
 * `medseg/umap` and `medseg/stressTest` in the worker: thin calls into the engine's explain and
 * stress modules. A stress test also redraws the folder's report.html with its stress section.
 */
import type { StressTestResult, UmapResult } from '../../../../../client/src/protocol';
import { umapExperiment } from '../../../core/explain';
import { refreshReport } from '../../../core/report/rerender';
import { runStress } from '../../../core/stress';
import { maxOf } from '../../../core/util/arrays';
import { placeOnConfig } from '../../../core/validate';
import { toFindingData } from '../findingData';
import type { JobParams } from '../protocol';
import type { JobContext } from './context';
import { parsedConfig } from './parsedConfig';

export async function umapJob(p: JobParams['umap'], ctx: JobContext): Promise<UmapResult> {
  const { config } = parsedConfig(p, 'compute the UMAP');
  const colorBy = p.colorBy ?? config.explain.umap.colorBy;
  ctx.progress('Resolving dataset', 0);
  const dataset = await ctx.datasets.get(config, { signal: ctx.signal, maxAgeMs: 0 });
  const result = await umapExperiment(config, dataset, {
    signal: ctx.signal,
    onProgress: (e) => ctx.progress(`${e.stage}${e.map ? ` (${e.map})` : ''}${e.total ? ` ${e.done ?? 0}/${e.total}` : ''}`, e.total ? (e.done ?? 0) / e.total : undefined),
  });
  const map = result.report.maps[0];
  const group = (pt: (typeof map.points)[number]): string | undefined => {
    if (colorBy === 'split') return pt.split ?? undefined;
    if (colorBy === 'best_method' || colorBy === 'correct') {
      const entries = Object.entries(pt.dice).filter(([, d]) => d !== null) as [string, number][];
      return entries.length ? entries.sort((a, b) => b[1] - a[1])[0][0] : undefined;
    }
    return pt.labels[colorBy];
  };
  return {
    colorBy,
    points: (map?.points ?? []).map((pt) => {
      const dice = Object.values(pt.dice).filter((d): d is number => d !== null);
      return { imageId: pt.id, x: pt.x, y: pt.y, group: group(pt), ...(dice.length ? { dice: maxOf(dice) } : {}) };
    }),
  };
}

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
