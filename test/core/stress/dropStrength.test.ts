import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dropStrength } from '../../../server/src/core/stress/dropStrength';

const near = (a: number | undefined, b: number) => assert.ok(a !== undefined && Math.abs(a - b) < 1e-12, `${a} ≠ ${b}`);

test('interpolates between the last level above the target and the first at or below it', () => {
  // target 0.8 − 0.05 = 0.75, crossed between strength 1 (0.78) and 2 (0.70): 1 + (0.78 − 0.75)/(0.78 − 0.70) = 1.375
  const d = dropStrength([0, 1, 2, 3], [0.8, 0.78, 0.7, 0.5], 0.05);
  near(d?.strength, 1.375);
  assert.equal(d?.levelIndex, 2);
  // JPEG-like axis: 50 + 20 · 0.375 = 57.5
  near(dropStrength([0, 50, 70], [0.8, 0.78, 0.7], 0.05)?.strength, 57.5);
});

test('a rise before the fall: the crossing is taken from the level just before it', () => {
  // 0.9 at 1, 0.6 at 2: 1 + (0.9 − 0.75)/(0.9 − 0.6) = 1.5
  near(dropStrength([0, 1, 2], [0.8, 0.9, 0.6], 0.05)?.strength, 1.5);
});

test('exactly at the target is a drop; never reaching it is undefined; undefined levels are skipped', () => {
  near(dropStrength([0, 2, 4], [0.8, 0.75, 0.1], 0.05)?.strength, 2);
  assert.equal(dropStrength([0, 1, 2], [0.8, 0.79, 0.76], 0.05), undefined);
  assert.equal(dropStrength([0, 1], [undefined, 0.1], 0.05), undefined);
  // level 1 undefined: interpolate from the unperturbed point: 0 + 2 · (0.8 − 0.75)/(0.8 − 0.7) = 1
  near(dropStrength([0, 1, 2], [0.8, undefined, 0.7], 0.05)?.strength, 1);
});

test('ungraded (flip variants): the first breaking variant, not an interpolation', () => {
  assert.deepEqual(dropStrength([0, 1, 2, 3], [0.8, 0.79, 0.6, 0.5], 0.05, false), { strength: 2, levelIndex: 2 });
});
