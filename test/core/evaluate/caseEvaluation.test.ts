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
import { encodeNifti } from '../../../server/src/core/io';

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

// Issue 16: the further metrics a config selects reach the rows with its parameters; avd is in mL
// for NIfTI references with a spacing (a one-slice file counts its slice thickness), else pixels.
describe('evaluateCase: further metrics', () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'medseg-case-further-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function niftiHalf(file: string, spacing: [number, number, number], fill: 'half' | 'all', data: 'mask' | 'prob' | 'image'): string {
    const [w, h] = [4, 2];
    const values = data === 'prob' ? new Float32Array(w * h) : data === 'image' ? new Int16Array(w * h) : new Uint8Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) values[y * w + x] = fill === 'all' || x < w / 2 ? (data === 'prob' ? 0.9 : 1) : 0;
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, encodeNifti({ width: w, height: h, depth: 1, data: values, spacing }, { gzip: true }));
    return file;
  }

  test('PNG: the selected metrics with β from the settings; avd in pixels', async () => {
    // R = left half (4 of 8 pixels), P = everything: TP 4, FP 4, FN 0, TN 0
    const all = join(dir, 'pred/all.png');
    mkdirSync(join(dir, 'pred'), { recursive: true });
    writeFileSync(all, buildPng({ width: 4, height: 2, colourType: 0, bitDepth: 8, samples: [255, 255, 255, 255, 255, 255, 255, 255] }));
    const c = caseOf('png', halfPng(join(dir, 'img/png.png'), 4, 2, 200), halfPng(join(dir, 'mask/png.png'), 4, 2, 255), all);
    const ctx = { ...context({ kind: 'nonzero' }), metrics: ['dice', 'fbeta', 'avd', 'rvd', 'mcc'] as CaseContext['metrics'], metricSettings: { nsdTolerance: 1, boundaryWidth: 'auto' as const, fbetaBeta: 0.5 } };
    const outcome = await evaluateCase(c, ctx);
    assert.deepEqual(outcome.failures, []);
    const m = outcome.rows[0].metrics;
    // F0.5 = 1.25·4 / (1.25·4 + 0.25·0 + 4) = 5/9
    assert.ok(Math.abs(m.fbeta! - 5 / 9) < 1e-15, String(m.fbeta));
    assert.equal(m.avd, 4);
    assert.equal(m.rvd, 1);
    assert.ok('mcc' in m && m.mcc === undefined, 'TN + FP = 0: MCC undefined');
    assert.ok(!('hd95' in m));
  });

  test('one-slice NIfTI with spacing: avd in mL from the slice thickness', async () => {
    const spacing: [number, number, number] = [0.5, 0.5, 4];
    const c = caseOf(
      'ct',
      niftiHalf(join(dir, 'img/ct.nii.gz'), spacing, 'all', 'image'),
      niftiHalf(join(dir, 'mask/ct.nii.gz'), spacing, 'half', 'mask'),
      niftiHalf(join(dir, 'pred/ct.nii.gz'), spacing, 'all', 'prob'),
    );
    const outcome = await evaluateCase(c, { ...context({ kind: 'nonzero' }), metrics: ['avd'] });
    assert.deepEqual(outcome.failures, []);
    // 4 voxels more than the reference, each 0.5 × 0.5 × 4 mm³ = 0.001 mL
    assert.ok(Math.abs(outcome.rows[0].metrics.avd! - 0.004) < 1e-15, String(outcome.rows[0].metrics.avd));
  });
});
