import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { chiSquareSf, normalCdf, normalSf, rank, rankWithTies, tCdf, tQuantile, tSf, tieCubeSum } from '../../../server/src/core/stats';
import { assertP, assertStatistic, reference } from './reference';

describe('tail probabilities against scipy', () => {
  test('normal sf', () => {
    for (const c of reference.normal_sf) assertP(normalSf(c.x), c.p, `norm.sf(${c.x})`);
  });
  test('t sf', () => {
    for (const c of reference.t_sf) assertP(tSf(c.x, c.df), c.p, `t.sf(${c.x}, ${c.df})`);
  });
  test('chi-square sf', () => {
    for (const c of reference.chi2_sf) assertP(chiSquareSf(c.x, c.df), c.p, `chi2.sf(${c.x}, ${c.df})`);
  });
  test('t quantile', () => {
    for (const c of reference.t_quantile) assertStatistic(tQuantile(c.q, c.df), c.t, `t.ppf(${c.q}, ${c.df})`);
  });
});

describe('tail probabilities by hand', () => {
  test('closed forms', () => {
    // t with 1 df is Cauchy: P(T > 1) = 1/4; with 2 df, P(T > t) = (1 − t/√(t² + 2)) / 2.
    assert.ok(Math.abs(tSf(1, 1) - 0.25) < 1e-15);
    assert.ok(Math.abs(tSf(2, 2) - (1 - 2 / Math.sqrt(6)) / 2) < 1e-15);
    assert.ok(Math.abs(tCdf(-2, 2) - (1 - 2 / Math.sqrt(6)) / 2) < 1e-15);
    // chi-square with 2 df is exponential with mean 2.
    assert.ok(Math.abs(chiSquareSf(3, 2) - Math.exp(-1.5)) < 1e-15);
    assert.equal(normalSf(0), 0.5);
    assert.ok(Math.abs(normalCdf(1.959963984540054) - 0.975) < 1e-15);
    assert.equal(tQuantile(0.5, 3), 0);
    // Cauchy quantile: tan(π (q − 1/2)).
    assert.ok(Math.abs(tQuantile(0.9, 1) - Math.tan(0.4 * Math.PI)) < 1e-12);
  });
});

describe('rank', () => {
  test('matches scipy.stats.rankdata', () => {
    for (const c of reference.rank) assert.deepEqual(rank(c.x), c.ranks);
  });
  test('tie groups by hand', () => {
    const { ranks, tieSizes } = rankWithTies([10, 20, 20, 5, 20]);
    assert.deepEqual(Array.from(ranks), [2, 4, 4, 1, 4]);
    assert.deepEqual(tieSizes, [1, 1, 3]);
    assert.equal(tieCubeSum(tieSizes), 24);
  });
});
