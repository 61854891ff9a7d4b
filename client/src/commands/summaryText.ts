/** One-line summaries of results for notifications (pure, tested without VS Code). */
import type { EvaluateResult, ValidateResult } from '../../../server/src/protocol';

/** The method with the highest mean Dice, upper-bound methods (`fusion:best`) excluded. */
export function bestMethod(result: Pick<EvaluateResult, 'methods'>, metric = 'dice'): { name: string; mean: number } | undefined {
  let best: { name: string; mean: number } | undefined;
  for (const [name, m] of Object.entries(result.methods)) {
    if (name === 'fusion:best') continue;
    const mean = m.metrics[metric]?.mean;
    if (mean === undefined || Number.isNaN(mean)) continue;
    if (!best || mean > best.mean) best = { name, mean };
  }
  return best;
}

/** One line for the notification: what was evaluated, the best method, and whether (and what) failed, as the CLI's exit status 0 / 3 / 4 tells. */
export function evaluationLine(result: EvaluateResult, split: string | undefined): string {
  const best = bestMethod(result);
  const provider = result.provider ? ` on ${result.provider.toUpperCase()}` : '';
  const errors = result.findings.filter((f) => f.severity === 'error').length;
  const skipped = result.skippedModels ?? [];
  const errorText = errors ? `${errors} error${errors === 1 ? '' : 's'} (see Problems).` : '';
  const skippedText = skipped.length ? `Skipped: ${skipped.map((m) => m.name).join(', ')}.` : '';
  if (result.outcome === 'nothing') return ['Nothing was evaluated' + (split ? ` in split ${split}` : '') + '.', skippedText, errorText].filter(Boolean).join(' ');
  return [
    `Evaluated ${result.images} image${result.images === 1 ? '' : 's'}${split ? ` of split ${split}` : ''}${provider}.`,
    bestLine(result, best),
    result.outcome === 'with-errors' ? 'Finished with errors.' : '',
    skippedText,
    errorText,
  ]
    .filter(Boolean)
    .join(' ');
}

export function validationLine(result: ValidateResult): string {
  const splits = Object.entries(result.splits)
    .map(([k, v]) => `${k} ${v}`)
    .join(' / ');
  const c = result.counts;
  const parts = [`${c.error} error${c.error === 1 ? '' : 's'}`, `${c.warning} warning${c.warning === 1 ? '' : 's'}`];
  if (c.info) parts.push(`${c.info} note${c.info === 1 ? '' : 's'}`);
  return `${result.cases} case${result.cases === 1 ? '' : 's'}${splits ? ` (${splits})` : ''}: ${parts.join(', ')}.`;
}

export function splitLine(result: { file: string; rows: number; splits: Record<string, number>; seed: number }): string {
  const splits = Object.entries(result.splits)
    .map(([k, v]) => `${k} ${v}`)
    .join(' / ');
  return `Wrote ${result.rows} rows to ${result.file} (${splits}; seed ${result.seed}).`;
}

/** Counts from the CLI's summary line (`Wrote x.csv: 84 train / 18 val / 18 test (120 images, 120 rows).`, `Seed 7 …`). */
export function parseSplitSummary(text: string): Partial<{ rows: number; splits: Record<string, number>; seed: number }> {
  const splits: Record<string, number> = {};
  const line = /^Wrote .*$/m.exec(text)?.[0] ?? text;
  for (const m of line.matchAll(/\b(\d+)\s+(train|val|test)\b/g)) splits[m[2]] = Number(m[1]);
  if (Object.keys(splits).length === 0) for (const m of line.matchAll(/\b(train|val|test)\s*[:=]?\s*(\d+)\b/g)) splits[m[1]] = Number(m[2]);
  const seed = /\bseed\s*[:=]?\s*(\d+)/i.exec(text);
  const rowsMatch = /\b(\d+) rows\b/.exec(line);
  const rows = rowsMatch ? Number(rowsMatch[1]) : Object.values(splits).reduce((a, b) => a + b, 0);
  return { ...(rows ? { rows } : {}), ...(Object.keys(splits).length ? { splits } : {}), ...(seed ? { seed: Number(seed[1]) } : {}) };
}

/** The best method's mean Dice; a region evaluation names each region's best (regions differ in how hard they are, so they are never ranked together). */
function bestLine(result: EvaluateResult, best: { name: string; mean: number } | undefined): string {
  if (result.regions?.length) {
    const parts = result.regions.map((r) => {
      const b = bestMethod(r);
      return `${r.name} ${b ? `${b.name} ${b.mean.toFixed(3)}` : '–'}`;
    });
    return `Best mean Dice by region: ${parts.join('; ')}.`;
  }
  return best ? `Best mean Dice: ${best.name} ${best.mean.toFixed(3)}.` : 'No Dice could be computed.';
}
