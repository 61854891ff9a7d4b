import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { computeConfusion, computeImageMetrics, surfaceDistances, type GridSize, type Spacing } from '../../../server/src/core/metrics';
import { countingMetrics } from '../../../server/src/core/metrics/counting';
import { surfaceDice } from '../../../server/src/core/metrics/surfaceDice';
import { boundaryIou, defaultBoundaryWidth } from '../../../server/src/core/metrics/boundaryIou';
import { skeletonize2d } from '../../../server/src/core/metrics/skeleton';
import { skeletonize3d } from '../../../server/src/core/metrics/skeleton3d';
import { clDice } from '../../../server/src/core/metrics/clDice';
import { assertClose } from './bruteforce';

type Maybe = number | null;
interface FurtherCase {
  name: string;
  size: [number, number, number];
  spacing: [number, number, number];
  voxel_ml: number;
  ref: string;
  pred: string;
  ref_skeleton?: string;
  pred_skeleton?: string;
  expected: Record<
    | 'mcc'
    | 'npv'
    | 'kappa'
    | 'fbeta'
    | 'fbeta_half'
    | 'volume_similarity'
    | 'rvd'
    | 'avd_pixels'
    | 'avd_ml'
    | 'hd'
    | 'assd'
    | 'masd'
    | 'boundary_iou'
    | 'boundary_iou_w3'
    | 'nsd'
    | 'nsd_tol2_5'
    | 'cldice',
    Maybe
  > &
    Record<'tp' | 'fp' | 'fn' | 'tn' | 'boundary_width', number>;
}

// Written once by test/fixtures/metrics/make_further.py (numpy, scipy.ndimage, scikit-learn, scikit-image).
const reference: { cases: FurtherCase[] } = JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'metrics', 'further.json'), 'utf8'));

// NSD of the volumes: DeepMind's surface-distance itself, on the same masks (make_surface_dice_3d.py).
const volumeNsd: Record<string, { nsd: number; nsd_tol2_5: number }> = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'fixtures', 'metrics', 'surface_dice_3d.json'), 'utf8'),
).further;

const FURTHER = ['nsd', 'hd', 'assd', 'masd', 'boundary_iou', 'cldice', 'mcc', 'npv', 'kappa', 'fbeta', 'volume_similarity', 'rvd', 'avd'] as const;

const bits = (s: string) => Uint8Array.from(s, (c) => (c === '1' ? 1 : 0));
const orUndefined = (v: Maybe | undefined) => (v === null || v === undefined ? undefined : v);

describe('further metrics against numpy / scipy / scikit-learn / scikit-image (make_further.py)', () => {
  test('the fixture covers 2D, 3D, vessels and every empty-mask case', () => {
    const names = reference.cases.map((c) => c.name);
    for (const name of ['2d-0', 'vessels-0', '3d-0', '3d-vessels', 'one-slice', 'both-empty', 'ref-empty', 'pred-empty', 'both-full', 'empty-full']) {
      assert.ok(names.includes(name), name);
    }
  });

  for (const c of reference.cases) {
    const size = c.size as GridSize;
    const spacing = c.spacing as Spacing;
    const ref = bits(c.ref);
    const pred = bits(c.pred);
    const e = c.expected;
    const nsdExpected = size[2] === 1 ? { nsd: e.nsd, nsd_tol2_5: e.nsd_tol2_5 } : volumeNsd[c.name];

    test(`${c.name}: counting metrics to 1e-9`, () => {
      const confusion = computeConfusion(ref, pred);
      assert.deepEqual(confusion, { tp: e.tp, fp: e.fp, fn: e.fn, tn: e.tn });
      const m = countingMetrics(confusion, { beta: 2 });
      assertClose(m.mcc, orUndefined(e.mcc), 1e-9, 'mcc');
      assertClose(m.npv, orUndefined(e.npv), 1e-9, 'npv');
      assertClose(m.kappa, orUndefined(e.kappa), 1e-9, 'kappa');
      assertClose(m.fbeta, orUndefined(e.fbeta), 1e-9, 'fbeta');
      assertClose(countingMetrics(confusion, { beta: 0.5 }).fbeta, orUndefined(e.fbeta_half), 1e-9, 'fbeta β 0.5');
      assertClose(m.volume_similarity, orUndefined(e.volume_similarity), 1e-9, 'volume similarity');
      assertClose(m.rvd, orUndefined(e.rvd), 1e-9, 'rvd');
      assertClose(m.avd, orUndefined(e.avd_pixels), 1e-9, 'avd pixels');
      assertClose(countingMetrics(confusion, { beta: 2, voxelMl: c.voxel_ml }).avd, orUndefined(e.avd_ml), 1e-12, 'avd mL');
    });

    test(`${c.name}: hd, assd, masd to 1e-9`, () => {
      const d = surfaceDistances(ref, pred, size, spacing);
      assertClose(d.hausdorff, orUndefined(e.hd), 1e-9, 'hd');
      assertClose(d.assd, orUndefined(e.assd), 1e-9, 'assd');
      assertClose(d.masd, orUndefined(e.masd), 1e-9, 'masd');
    });

    test(`${c.name}: boundary IoU to 1e-9`, () => {
      assert.equal(defaultBoundaryWidth(size), e.boundary_width);
      assertClose(boundaryIou(ref, pred, size, e.boundary_width), orUndefined(e.boundary_iou), 1e-9, 'boundary IoU');
      assertClose(boundaryIou(ref, pred, size, 3), orUndefined(e.boundary_iou_w3), 1e-9, 'boundary IoU, width 3');
    });

    test(`${c.name}: computeImageMetrics with every further metric (one shared bounding box) agrees`, () => {
      const m = computeImageMetrics({ width: size[0], height: size[1], depth: size[2], data: ref, spacing }, pred, undefined, FURTHER, { voxelMl: c.voxel_ml });
      const expected: Record<(typeof FURTHER)[number], Maybe | undefined> = {
        nsd: nsdExpected.nsd, hd: e.hd, assd: e.assd, masd: e.masd, boundary_iou: e.boundary_iou, cldice: e.cldice, mcc: e.mcc, npv: e.npv,
        kappa: e.kappa, fbeta: e.fbeta, volume_similarity: e.volume_similarity, rvd: e.rvd, avd: e.avd_ml,
      };
      for (const name of FURTHER) assertClose(m[name], orUndefined(expected[name]), name === 'nsd' ? 1e-6 : 1e-9, name);
    });

    test(`${c.name}: NSD to 1e-6, by the τ-disc search and by the EDT`, () => {
      assert.ok(nsdExpected, `${c.name} has a reference NSD`);
      for (const method of ['auto', 'disc', 'edt'] as const) {
        assertClose(surfaceDice(ref, pred, size, spacing, 1, undefined, method), orUndefined(nsdExpected.nsd), 1e-6, `nsd τ 1 (${method})`);
        assertClose(surfaceDice(ref, pred, size, spacing, 2.5, undefined, method), orUndefined(nsdExpected.nsd_tol2_5), 1e-6, `nsd τ 2.5 (${method})`);
      }
    });

    test(`${c.name}: skeletons ${size[2] === 1 ? '(Zhang–Suen)' : '(Lee)'} pixel for pixel, clDice to 1e-9`, () => {
      const skeleton = (mask: Uint8Array) => (size[2] === 1 ? skeletonize2d(mask, size[0], size[1]) : skeletonize3d(mask, size[0], size[1], size[2]));
      assert.deepEqual(skeleton(ref), bits(c.ref_skeleton!), 'reference skeleton');
      assert.deepEqual(skeleton(pred), bits(c.pred_skeleton!), 'prediction skeleton');
      assertClose(clDice(ref, pred, size), orUndefined(e.cldice), 1e-9, 'clDice');
    });
  }
});
