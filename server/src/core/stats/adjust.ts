/** Multiple-comparison adjustment of p-values. */
import type { PValueAdjustment } from './types';

/**
 * Adjusted p-values with the semantics of statsmodels.stats.multitest.multipletests
 * (method 'holm', 'bonferroni', 'fdr_bh' → 'bh'), returned in input order and capped at 1:
 * - bonferroni: min(1, m·p);
 * - holm: step-down, the i-th smallest gets max over j ≤ i of (m − j + 1)·p_(j);
 * - bh: step-up, the i-th smallest gets min over j ≥ i of m·p_(j)/j;
 * - none: unchanged.
 * NaN entries (a comparison that could not be made) stay NaN and do not count toward m.
 */
export function adjustPValues(p: readonly number[], method: PValueAdjustment): number[] {
  const adjusted = p.slice();
  if (method === 'none') return adjusted;
  const order = p.map((_, i) => i).filter((i) => !Number.isNaN(p[i]));
  order.sort((a, b) => p[a] - p[b] || a - b);
  const m = order.length;
  for (const i of order) {
    if (p[i] < 0 || p[i] > 1) throw new RangeError(`p[${i}] = ${p[i]} is not a probability`);
  }
  if (method === 'bonferroni') {
    for (const i of order) adjusted[i] = Math.min(1, p[i] * m);
  } else if (method === 'holm') {
    let running = 0;
    order.forEach((i, rankIndex) => {
      running = Math.max(running, Math.min(1, (m - rankIndex) * p[i]));
      adjusted[i] = running;
    });
  } else if (method === 'bh') {
    let running = 1;
    for (let rankIndex = m - 1; rankIndex >= 0; rankIndex--) {
      const i = order[rankIndex];
      running = Math.min(running, (p[i] * m) / (rankIndex + 1));
      adjusted[i] = running;
    }
  } else {
    throw new RangeError(`unknown p-value adjustment '${String(method)}'`);
  }
  return adjusted;
}
