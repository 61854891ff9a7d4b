import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  computeImageMetrics,
  quantileSorted,
  squaredDistanceTransform,
  summarizeMetric,
  surfaceDistances,
  type GridSize,
  type Spacing,
} from '../../../server/src/core/metrics';
import { DEFAULT_METRICS as METRIC_NAMES } from '../../../server/src/core/config/types';
import { assertClose } from './bruteforce';

type Maybe = number | null;
interface ReferenceCase {
  name: string;
  size: [number, number, number];
  spacing: [number, number, number];
  ref: string;
  pred: string;
  prob16: number[];
  expected: Record<'dice' | 'iou' | 'sensitivity' | 'specificity' | 'precision' | 'auroc' | 'hd95' | 'hausdorff' | 'assd', Maybe> &
    Record<'tp' | 'fp' | 'fn' | 'tn', number>;
}

// Written once by test/fixtures/metrics/make_reference.py (numpy, scipy.ndimage, sklearn).
const reference: {
  cases: ReferenceCase[];
  edt: { size: [number, number, number]; spacing: [number, number, number]; features: string; distance: number[] }[];
  summary: { values: Maybe[]; n: number; excluded: number; mean: number; median: number; std: number; percentiles: Record<string, number> };
} = JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'metrics', 'reference.json'), 'utf8'));

const bits = (s: string) => Uint8Array.from(s, (c) => (c === '1' ? 1 : 0));
const orUndefined = (v: Maybe) => (v === null ? undefined : v);

describe('agreement with numpy / scipy / sklearn (make_reference.py)', () => {
  for (const c of reference.cases) {
    test(`${c.name}: all metrics to 1e-9`, () => {
      const [width, height, depth] = c.size;
      const ref = { width, height, depth, data: bits(c.ref), spacing: c.spacing as Spacing };
      const pred = bits(c.pred);
      const prob = Float32Array.from(c.prob16, (q) => q / 65535);
      const m = computeImageMetrics(ref, pred, prob, METRIC_NAMES);
      assert.deepEqual(m.confusion, { tp: c.expected.tp, fp: c.expected.fp, fn: c.expected.fn, tn: c.expected.tn });
      for (const name of METRIC_NAMES) assertClose(m[name], orUndefined(c.expected[name]), 1e-9, `${c.name} ${name}`);
      const surface = surfaceDistances(ref.data, pred, c.size as GridSize, c.spacing);
      assertClose(surface.hausdorff, orUndefined(c.expected.hausdorff), 1e-9, `${c.name} hausdorff`);
      assertClose(surface.assd, orUndefined(c.expected.assd), 1e-9, `${c.name} assd`);
    });
  }

  test('Euclidean distance transforms match scipy.ndimage.distance_transform_edt', () => {
    for (const e of reference.edt) {
      const squared = squaredDistanceTransform(bits(e.features), e.size, e.spacing);
      e.distance.forEach((d, i) => assert.ok(Math.abs(Math.sqrt(squared[i]) - d) < 1e-9, `pixel ${i}: ${Math.sqrt(squared[i])} vs ${d}`));
    }
  });

  test('summary statistics and percentiles match numpy (ddof = 1)', () => {
    const s = reference.summary;
    const summary = summarizeMetric(s.values.map(orUndefined), { bootstrap: 0, seed: 0 });
    assert.equal(summary.n, s.n);
    assert.equal(summary.excluded, s.excluded);
    assertClose(summary.mean, s.mean, 1e-12, 'mean');
    assertClose(summary.median, s.median, 1e-12, 'median');
    assertClose(summary.std, s.std, 1e-12, 'std');
    const sorted = s.values.filter((v): v is number => v !== null).sort((a, b) => a - b);
    for (const [percent, value] of Object.entries(s.percentiles)) {
      assertClose(quantileSorted(sorted, Number(percent) / 100), value, 1e-12, `percentile ${percent}`);
    }
  });
});
