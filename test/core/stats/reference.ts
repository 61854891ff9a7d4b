/**
 * Shared by the stats tests: the scipy reference values written once by
 * test/fixtures/stats/make_reference.py, the Lehmer generator that script uses for samples too
 * large to store, and the tolerance rule of the module (1e-6 absolute, and 1e-6 relative where the
 * reference p is below 1e-6).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LcgSpec {
  seed: number;
  n: number;
  kind: 'uniform' | 'irwinhall4';
  scale: number;
  shift: number;
}

export const reference: any = JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'stats', 'reference.json'), 'utf8'));

/** Lehmer generator s ← 48271·s mod (2^31 − 1); products stay below 2^53, so doubles are exact. */
export function lcgSample(spec: LcgSpec): number[] {
  const a: number = reference.lcg.a;
  const m: number = reference.lcg.m;
  const draws = spec.n * (spec.kind === 'irwinhall4' ? 4 : 1);
  const u: number[] = [];
  let s = spec.seed;
  for (let i = 0; i < draws; i++) {
    s = (a * s) % m;
    u.push(s / m);
  }
  const values =
    spec.kind === 'irwinhall4' ? Array.from({ length: spec.n }, (_, i) => u[4 * i] + u[4 * i + 1] + u[4 * i + 2] + u[4 * i + 3]) : u;
  return values.map((v) => v * spec.scale + spec.shift);
}

/** p-values: within 1e-6 absolute, and within 1e-6 relative when the reference is below 1e-6. */
export function assertP(actual: number, expected: number, label: string): void {
  assert.ok(Number.isFinite(actual), `${label}: p = ${actual}`);
  const diff = Math.abs(actual - expected);
  assert.ok(diff <= 1e-6, `${label}: p = ${actual}, scipy ${expected} (|Δ| = ${diff})`);
  if (expected < 1e-6) {
    const rel = expected === 0 ? diff : diff / expected;
    assert.ok(rel <= 1e-6, `${label}: p = ${actual}, scipy ${expected} (relative Δ = ${rel})`);
  }
}

/** Statistics: within 1e-6 absolute, or 1e-6 relative for magnitudes above 1. */
export function assertStatistic(actual: number, expected: number, label: string): void {
  const diff = Math.abs(actual - expected);
  assert.ok(diff <= 1e-6 * Math.max(1, Math.abs(expected)), `${label}: ${actual}, reference ${expected} (|Δ| = ${diff})`);
}
