/**
 * Pearson's chi-square test of independence for a split × label table, written for the tests
 * (independent of the code under test). Rows or columns that are all zero are dropped, as scipy's
 * expected frequencies would be undefined for them.
 */
export function chiSquareTest(table: readonly (readonly number[])[]): { statistic: number; dof: number; p: number } {
  const rows = table.filter((r) => r.some((v) => v > 0));
  const keep = rows[0].map((_, j) => j).filter((j) => rows.some((r) => r[j] > 0));
  const t = rows.map((r) => keep.map((j) => r[j]));
  const rowSums = t.map((r) => r.reduce((a, b) => a + b, 0));
  const colSums = keep.map((_, j) => t.reduce((a, r) => a + r[j], 0));
  const n = rowSums.reduce((a, b) => a + b, 0);
  let statistic = 0;
  t.forEach((r, i) =>
    r.forEach((v, j) => {
      const expected = (rowSums[i] * colSums[j]) / n;
      statistic += (v - expected) ** 2 / expected;
    }),
  );
  const dof = (t.length - 1) * (keep.length - 1);
  return { statistic, dof, p: chiSquareSurvival(statistic, dof) };
}

/**
 * P(X ≥ x) for a chi-square variable with an even number of degrees of freedom k:
 * exp(−x/2) · Σ_{i < k/2} (x/2)^i / i!  (the Poisson form of the upper regularised gamma).
 * A table of 3 splits always has an even k = 2 · (labels − 1).
 */
export function chiSquareSurvival(x: number, dof: number): number {
  if (dof % 2 !== 0) throw new Error(`chiSquareSurvival handles even degrees of freedom only, got ${dof}`);
  let term = 1;
  let sum = 1;
  for (let i = 1; i < dof / 2; i++) {
    term *= x / 2 / i;
    sum += term;
  }
  return Math.exp(-x / 2) * sum;
}

/** Rows train, val, test; columns the sorted values of `column`. */
export function splitLabelTable(
  rows: readonly { id: string; labels: Record<string, string> }[],
  splits: ReadonlyMap<string, string>,
  column: string,
): number[][] {
  const values = [...new Set(rows.map((r) => r.labels[column]))].sort();
  return ['train', 'val', 'test'].map((split) => values.map((v) => rows.filter((r) => splits.get(r.id) === split && r.labels[column] === v).length));
}
