import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PerImageRow } from '../../../server/src/core/results/perImage';
import { sampleErrorRates } from '../../../server/src/core/stress/errorRates';

function row(imageId: string, dice: number, c: { tp: number; fp: number; fn: number; tn: number }): PerImageRow {
  return { imageId, split: 'test', method: 'm', metrics: { dice }, refPixels: c.tp + c.fn, predPixels: c.tp + c.fp, ...c };
}

test('type I and type II rates by hand, with multiplicities', () => {
  const rows = new Map([
    ['x', row('x', 0, { tp: 0, fp: 5, fn: 0, tn: 95 })], // empty reference, 5 false positives
    ['y', row('y', 0, { tp: 0, fp: 0, fn: 10, tn: 90 })], // lesion missed entirely
    ['z', row('z', 0.75, { tp: 15, fp: 5, fn: 5, tn: 75 })],
  ]);
  const r = sampleErrorRates(rows, [['x', 2], ['y', 1], ['z', 1], ['not-a-row', 3]]);
  assert.equal(r.dice, (0 * 2 + 0 + 0.75) / 4);
  assert.equal(r.fpPixelRate, (2 * 5 + 0 + 5) / (2 * 5 + 0 + 5 + 2 * 95 + 90 + 75));
  assert.equal(r.emptyRefFpRate, 1);
  assert.equal(r.emptyRefImages, 2);
  assert.equal(r.fnPixelRate, (10 + 5) / (10 + 5 + 15));
  assert.equal(r.missedRate, 1 / 2);
  assert.equal(r.lesionImages, 2);
});

test('rates without a denominator are undefined, not 0', () => {
  const rows = new Map([['z', row('z', 0.75, { tp: 15, fp: 5, fn: 5, tn: 75 })]]);
  const r = sampleErrorRates(rows, [['z', 1]]);
  assert.equal(r.emptyRefFpRate, undefined);
  assert.equal(r.missedRate, 0);
  assert.equal(sampleErrorRates(rows, []).dice, undefined);
});
