import assert from 'node:assert/strict';
import { test } from 'node:test';
import { imagePicks } from '../../../client/src/commands/imagePicks';
import type { ImageEntryData, ImagesResult } from '../../../server/src/protocol';

const entry = (id: string, split: string | undefined, dice?: Record<string, number | undefined>, depth = 1): ImageEntryData => ({
  id,
  ...(split ? { split } : {}),
  image: `/data/${id}.png`,
  depth,
  ...(dice ? { dice } : {}),
});

/** The list as `separator|label|description` lines, easy to read in a failure. */
function lines(result: ImagesResult): string[] {
  return imagePicks(result).map((p) => (p.kind === 'separator' ? `-- ${p.label}` : `${p.label} | ${p.description}`));
}

test('after an evaluation: its images first, worst Dice of the best model first, then the rest by split', () => {
  // Dataset order mixes the splits: train images come first, as in the demo.
  const result: ImagesResult = {
    images: [
      entry('a', 'train'),
      entry('t1', 'test', { good: 0.91, weak: 0.5 }),
      entry('v1', 'val'),
      entry('b', 'train'),
      entry('t2', 'test', { good: 0.42, weak: 0.7 }),
      entry('t3', 'test', { good: undefined, weak: 0.1 }), // the best model failed on it
      entry('t4', 'test', { good: 0.42 }, 5),
      entry('n', undefined),
    ],
    methods: ['good', 'weak', 'fusion:union'],
    evaluatedSplit: 'test',
    rankedBy: 'good',
  };
  assert.deepEqual(lines(result), [
    '-- evaluated on test · worst Dice of good first',
    't2 | test · Dice 0.420',
    't4 | test · Dice 0.420 · 5 slices', // a tie goes by id
    't1 | test · Dice 0.910',
    't3 | test · no Dice for good',
    '-- train · not evaluated',
    'a | train',
    'b | train',
    '-- val · not evaluated',
    'v1 | val',
    '-- no split · not evaluated',
    'n | ',
  ]);
  const first = imagePicks(result).find((p) => p.kind === 'image');
  assert.deepEqual(first, { kind: 'image', id: 't2', label: 't2', description: 'test · Dice 0.420', dice: 0.42 });
});

test('before any evaluation: every image, grouped by split', () => {
  const result: ImagesResult = { images: [entry('t1', 'test'), entry('a', 'train'), entry('v', 'val'), entry('b', 'train')], methods: [] };
  assert.deepEqual(lines(result), ['-- train', 'a | train', 'b | train', '-- val', 'v | val', '-- test', 't1 | test']);
});

test('an evaluation of all images names no split', () => {
  const result: ImagesResult = { images: [entry('a', 'train', { m: 0.8 }), entry('b', 'test', { m: 0.3 })], methods: ['m'], evaluatedSplit: 'all', rankedBy: 'm' };
  assert.deepEqual(lines(result), ['-- evaluated · worst Dice of m first', 'b | test · Dice 0.300', 'a | train · Dice 0.800']);
});
