// evaluateCase refuses, with the finding codes validation uses, the references that would score
// silently wrong (issue 13): a mask that is not at its image's size, and a mask whose foreground
// rule matches none of its non-zero pixels.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { DatasetCase } from '../../../server/src/core/dataset/types';
import { evaluateCase, type CaseContext } from '../../../server/src/core/evaluate/caseEvaluation';
import { FileSource } from '../../../server/src/core/evaluate/sources';
import { PooledCounts } from '../../../server/src/core/metrics';
import { modelConfig } from '../inference/support';
import { buildPng } from '../io/helpers';

let dir: string;

/** A w×h 8-bit grey PNG whose left half is `value` (right half 0). */
function halfPng(file: string, w: number, h: number, value: number): string {
  const samples: number[] = [];
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) samples.push(x < w / 2 ? value : 0);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, buildPng({ width: w, height: h, colourType: 0, bitDepth: 8, samples }));
  return file;
}

function caseOf(id: string, image: string, mask: string, prediction: string): DatasetCase {
  return { id, image, mask, labels: {}, predictions: { p: prediction } };
}

function context(foreground: CaseContext['foreground']): CaseContext {
  const model = modelConfig({}, {}, { name: 'p', predictions: 'preds/{stem}.png' });
  return { sources: [new FileSource(model, foreground)], metrics: ['dice'], foreground, fusions: [], fusionMembers: [], pooled: new Map([['p', new PooledCounts()]]) };
}

describe('evaluateCase: references that would score silently wrong are failures, not rows', () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'medseg-case-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a mask of another size than its image: image/mask-size-mismatch naming both sizes, no row', async () => {
    // The prediction is at the mask's size, so only the image/mask check can catch it.
    const c = caseOf('small', halfPng(join(dir, 'img/small.png'), 8, 6, 200), halfPng(join(dir, 'mask/small.png'), 4, 3, 255), halfPng(join(dir, 'pred/small.png'), 4, 3, 255));
    const outcome = await evaluateCase(c, context({ kind: 'nonzero' }));
    assert.deepEqual(outcome.rows, []);
    assert.deepEqual(outcome.failures.map((f) => [f.imageId, f.method, f.code]), [['small', undefined, 'image/mask-size-mismatch']]);
    assert.match(outcome.failures[0].message, /the mask is 4×3×1 but the image is 8×6×1/);
  });

  test('a 0/1 mask under `foreground: 255`: mask/foreground-rule-matches-nothing, no row (was Dice 0)', async () => {
    const c = caseOf('binary01', halfPng(join(dir, 'img/b.png'), 4, 2, 200), halfPng(join(dir, 'mask/b.png'), 4, 2, 1), halfPng(join(dir, 'pred/b.png'), 4, 2, 255));
    const outcome = await evaluateCase(c, context({ kind: 'values', values: [255] }));
    assert.deepEqual(outcome.rows, []);
    assert.deepEqual(outcome.failures.map((f) => f.code), ['mask/foreground-rule-matches-nothing']);
  });

  test('a fitting case is scored: Dice 1 for the identical half-image prediction', async () => {
    const c = caseOf('ok', halfPng(join(dir, 'img/ok.png'), 4, 2, 200), halfPng(join(dir, 'mask/ok.png'), 4, 2, 255), halfPng(join(dir, 'pred/ok.png'), 4, 2, 255));
    const outcome = await evaluateCase(c, context({ kind: 'values', values: [255] }));
    assert.deepEqual(outcome.failures, []);
    assert.deepEqual(outcome.rows.map((r) => [r.method, r.metrics.dice, r.refPixels]), [['p', 1, 4]]);
  });
});
