/** Chi-square test of independence and Cramér's V for an r × c table of counts. */
import { chiSquareSf } from './distributions';
import type { ChiSquareResult } from './types';

function validateTable(table: readonly (readonly number[])[]): void {
  if (table.length === 0 || table[0].length === 0) throw new RangeError('contingency table is empty');
  const columns = table[0].length;
  table.forEach((row, i) => {
    if (row.length !== columns) throw new RangeError(`contingency table row ${i} has ${row.length} cells, row 0 has ${columns}`);
    row.forEach((v, j) => {
      if (!Number.isFinite(v) || v < 0) throw new RangeError(`contingency table cell [${i}][${j}] is ${v}; counts must be finite and non-negative`);
    });
  });
}

/** Row sums, column sums, total, and expected counts row·column/total. */
function margins(table: readonly (readonly number[])[]): { expected: number[][]; total: number } {
  const rowSums = table.map((row) => row.reduce((s, v) => s + v, 0));
  const columnSums = table[0].map((_, j) => table.reduce((s, row) => s + row[j], 0));
  const total = rowSums.reduce((s, v) => s + v, 0);
  rowSums.forEach((s, i) => {
    if (s === 0) throw new RangeError(`contingency table row ${i} sums to 0, so its expected counts are 0; drop the empty row`);
  });
  columnSums.forEach((s, j) => {
    if (s === 0) throw new RangeError(`contingency table column ${j} sums to 0, so its expected counts are 0; drop the empty column`);
  });
  return { expected: rowSums.map((r) => columnSums.map((c) => (r * c) / total)), total };
}

function pearsonStatistic(table: readonly (readonly number[])[], expected: number[][], yates: boolean): number {
  let statistic = 0;
  table.forEach((row, i) =>
    row.forEach((observed, j) => {
      const e = expected[i][j];
      let o = observed;
      if (yates) {
        // Move each count toward its expectation by 0.5, never past it (scipy gh-13875).
        const gap = e - o;
        o += Math.sign(gap) * Math.min(0.5, Math.abs(gap));
      }
      statistic += ((o - e) * (o - e)) / e;
    }),
  );
  return statistic;
}

/**
 * Mirrors scipy.stats.chi2_contingency(table) with its defaults: correction=True, which applies
 * Yates' continuity correction only when df = 1, lambda_=None (Pearson's statistic). A table with
 * one row or one column has df = 0: statistic 0, p 1. An all-zero row or column makes an expected
 * count 0, which scipy rejects; so does this (RangeError).
 */
export function chiSquareIndependence(table: readonly (readonly number[])[]): ChiSquareResult {
  validateTable(table);
  const { expected } = margins(table);
  const df = (table.length - 1) * (table[0].length - 1);
  const base = { test: 'Chi-square independence' as const, df, expected };
  if (df === 0) return { ...base, statistic: 0, p: 1, yates: false };
  const yates = df === 1;
  const statistic = pearsonStatistic(table, expected, yates);
  return { ...base, statistic, p: chiSquareSf(statistic, df), yates };
}

export interface CramersVOptions {
  /** Bergsma's (2013) small-sample bias correction. Default false (scipy's plain V). */
  biasCorrected?: boolean;
}

/**
 * Cramér's V from Pearson's chi-square without continuity correction.
 * Plain: V = sqrt(φ² / min(r − 1, c − 1)) with φ² = χ²/N, as
 * scipy.stats.contingency.association(table, method='cramer').
 * Bias-corrected (Bergsma 2013, J. Korean Stat. Soc. 42:323–328):
 * φ̃² = max(0, φ² − (r − 1)(c − 1)/(N − 1)), r̃ = r − (r − 1)²/(N − 1), c̃ = c − (c − 1)²/(N − 1),
 * Ṽ = sqrt(φ̃² / min(r̃ − 1, c̃ − 1)); it removes most of the upward bias of V in small tables.
 * Returns 0 for a table with one row or column, NaN when the corrected denominator is not
 * positive (N too small for the correction).
 */
export function cramersV(table: readonly (readonly number[])[], options: CramersVOptions = {}): number {
  validateTable(table);
  const { expected, total } = margins(table);
  const r = table.length;
  const c = table[0].length;
  if (r === 1 || c === 1) return 0;
  const phi2 = pearsonStatistic(table, expected, false) / total;
  if (!options.biasCorrected) return Math.sqrt(phi2 / Math.min(r - 1, c - 1));
  const phi2Corrected = Math.max(0, phi2 - ((r - 1) * (c - 1)) / (total - 1));
  const rCorrected = r - (r - 1) ** 2 / (total - 1);
  const cCorrected = c - (c - 1) ** 2 / (total - 1);
  const denominator = Math.min(rCorrected - 1, cCorrected - 1);
  if (!(denominator > 0)) return NaN;
  return Math.sqrt(phi2Corrected / denominator);
}
