/**
 * umap.json as the UMAP view draws it: every map column-wise (ids, x, y, a colour group index,
 * the best Dice, the out-of-distribution verdict), so 60,000 points cross the language server
 * and the webview as a few arrays instead of 60,000 objects per map. Colour groups: the split, a
 * clinical label column, or (`best_method`, `correct`) the model with the highest Dice.
 */
import type { UmapMapData, UmapResult } from '../../../protocol';
import { maxOf } from '../../util/arrays';
import type { UmapPoint, UmapReport } from './umapPipeline';

function groupOf(p: UmapPoint, colorBy: string): string | undefined {
  if (colorBy === 'split') return p.split ?? undefined;
  if (colorBy === 'best_method' || colorBy === 'correct') {
    let best: string | undefined;
    let bestDice = -Infinity;
    for (const [model, d] of Object.entries(p.dice)) {
      if (d !== null && d > bestDice) [best, bestDice] = [model, d];
    }
    return best;
  }
  return p.labels[colorBy];
}

function bestDice(p: UmapPoint): number | null {
  const values = Object.values(p.dice).filter((d): d is number => d !== null);
  return values.length > 0 ? maxOf(values) : null;
}

export function umapViewData(report: UmapReport, colorBy: string, outputDir?: string): UmapResult {
  const names = new Set<string>();
  for (const map of report.maps) for (const p of map.points) {
    const g = groupOf(p, colorBy);
    if (g !== undefined) names.add(g);
  }
  const groups = [...names].sort();
  const index = new Map(groups.map((g, i) => [g, i]));
  const maps: UmapMapData[] = report.maps.map((m) => ({
    name: m.name,
    features: m.features,
    ...(m.model ? { model: m.model } : {}),
    ids: m.points.map((p) => p.id),
    x: m.points.map((p) => p.x),
    y: m.points.map((p) => p.y),
    group: m.points.map((p) => index.get(groupOf(p, colorBy) ?? '') ?? -1),
    dice: m.points.map(bestDice),
    ood: m.points.map((p) => (p.ood === undefined ? -1 : p.ood ? 1 : 0)),
    neighborSearch: { method: m.neighbor_search?.method ?? 'exact', ...(m.neighbor_search?.recall !== undefined ? { recall: m.neighbor_search.recall } : {}) },
  }));
  const first = report.maps[0];
  return {
    colorBy,
    points: (first?.points ?? []).map((p) => {
      const dice = bestDice(p);
      const group = groupOf(p, colorBy);
      return { imageId: p.id, x: p.x, y: p.y, ...(group !== undefined ? { group } : {}), ...(dice !== null ? { dice } : {}) };
    }),
    maps,
    groups,
    ...(outputDir ? { outputDir } : {}),
  };
}
