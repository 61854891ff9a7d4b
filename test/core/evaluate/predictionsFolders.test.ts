import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { loadConfig } from '../../../server/src/core/config';
import { resolveDataset } from '../../../server/src/core/dataset';
import { evaluateExperiment, type EvaluationResult } from '../../../server/src/core/evaluate';

/** Per-image metrics computed independently with numpy/scipy by test/fixtures/evaluate/make_fixture.py. */
interface ExpectedRow {
  image_id: string;
  method: string;
  [metric: string]: number | string | null;
}
const fixture = join(__dirname, '..', '..', 'fixtures', 'evaluate');
const expected = JSON.parse(readFileSync(join(fixture, 'expected_metrics.json'), 'utf8')) as ExpectedRow[];
const METRICS = ['dice', 'iou', 'sensitivity', 'specificity', 'precision', 'auroc', 'hd95'] as const;

let dir: string;
let result: EvaluationResult;

async function run(): Promise<EvaluationResult> {
  const parsed = await loadConfig(join(dir, 'fixture.medseg.yaml'));
  assert.ok(parsed.config, JSON.stringify(parsed.findings));
  const dataset = await resolveDataset(parsed.config);
  assert.deepEqual(dataset.findings, []);
  return evaluateExperiment(parsed.config, dataset, { outputDir: join(dir, 'out') });
}

describe('evaluate: models given as prediction folders', () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'medseg-eval-'));
    cpSync(join(fixture, 'data'), dir, { recursive: true });
    result = await run();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('per-image metrics equal the numpy/scipy computation to 1e-9', () => {
    assert.deepEqual(result.findings, []);
    assert.equal(result.table.size, expected.length);
    for (const e of expected) {
      const row = result.table.toRows().find((r) => r.imageId === e.image_id && r.method === e.method);
      assert.ok(row, `${e.image_id}/${e.method}`);
      for (const metric of METRICS) {
        const want = e[metric] as number | null;
        const got: number | undefined = row.metrics[metric];
        if (want === null) assert.equal(got, undefined, `${e.image_id}/${e.method}/${metric}`);
        else assert.ok(got !== undefined && Math.abs(got - want) <= 1e-9, `${e.image_id}/${e.method}/${metric}: ${got} vs ${want}`);
      }
      assert.deepEqual([row.refPixels, row.predPixels, row.tp, row.fp, row.fn, row.tn], [e.ref_pixels, e.pred_pixels, e.tp, e.fp, e.fn, e.tn]);
      assert.equal(row.source, (e.source as string | undefined) ?? undefined, `${e.image_id}/${e.method} source`);
    }
  });

  test('fusion masks on disk equal the numpy union, intersection, majority and STAPLE', async () => {
    const masks = JSON.parse(readFileSync(join(fixture, 'expected_fusion_masks.json'), 'utf8')) as Record<string, string>;
    for (const [key, bits] of Object.entries(masks)) {
      const [id, method] = key.split('/');
      const png = await sharp(join(dir, 'out', 'masks', method, `${id}.png`)).toColourspace('b-w').raw().toBuffer();
      assert.equal([...png].map((v) => (v ? 1 : 0)).join(''), bits, key);
    }
  });

  test('every paired comparison and Friedman p-value equals scipy.stats to 1e-6; Holm as computed by hand in numpy', () => {
    const ref = JSON.parse(readFileSync(join(fixture, 'expected_stats.json'), 'utf8')) as {
      comparisons: { a: string; b: string; metric: string; test: string; p: number; p_adjusted: number; shapiro_W?: number; shapiro_p?: number; t?: number; t_p?: number; w?: number; w_p?: number }[];
      friedman: { metric: string; statistic: number; p: number }[];
    };
    const ours = result.summary.comparisons as { a: string; b: string; metric: string; test: string; p: number; p_adjusted: number; normality?: { statistic: number; p: number }; t_test?: { statistic: number; p: number }; wilcoxon?: { statistic: number; p: number } }[];
    assert.equal(ours.length, ref.comparisons.length);
    const close = (x: number | undefined, y: number | undefined, what: string) => assert.ok(x !== undefined && y !== undefined && Math.abs(x - y) <= 1e-6, `${what}: ${x} vs ${y}`);
    for (const r of ref.comparisons) {
      const c = ours.find((o) => o.a === r.a && o.b === r.b && o.metric === r.metric);
      assert.ok(c, `${r.a} vs ${r.b} on ${r.metric}`);
      const what = `${r.a} vs ${r.b} on ${r.metric}`;
      close(c.p, r.p, `${what} p`);
      close(c.p_adjusted, r.p_adjusted, `${what} p_adjusted`);
      if (r.test === 'constant') continue;
      assert.equal(c.test, r.test, what);
      close(c.normality?.statistic, r.shapiro_W, `${what} W`);
      close(c.normality?.p, r.shapiro_p, `${what} Shapiro p`);
      close(c.t_test?.statistic, r.t, `${what} t`);
      close(c.t_test?.p, r.t_p, `${what} t p`);
      close(c.wilcoxon?.statistic, r.w, `${what} W+`);
      close(c.wilcoxon?.p, r.w_p, `${what} Wilcoxon p`);
    }
    const friedman = result.summary.friedman as { metric: string; statistic: number; p: number }[];
    assert.equal(friedman.length, ref.friedman.length);
    for (const r of ref.friedman) {
      const f = friedman.find((x) => x.metric === r.metric)!;
      close(f.statistic, r.statistic, `Friedman ${r.metric} statistic`);
      close(f.p, r.p, `Friedman ${r.metric} p`);
    }
  });

  test('summary: n, excluded counts and means follow from the reference rows', () => {
    const s = result.summary;
    assert.deepEqual(Object.keys(s.methods), ['a', 'b', 'c', 'fusion:union', 'fusion:intersection', 'fusion:majority', 'fusion:staple', 'fusion:best']);
    for (const method of ['a', 'b', 'c', 'fusion:union', 'fusion:intersection', 'fusion:majority', 'fusion:staple', 'fusion:best']) {
      const rows = expected.filter((e) => e.method === method);
      const m = s.methods[method];
      assert.equal(m.n, 12);
      for (const metric of METRICS) {
        const defined = rows.map((r) => r[metric]).filter((v): v is number => v !== null);
        assert.equal(m.excluded[metric], rows.length - defined.length, `${method}/${metric} excluded`);
        const mean = defined.reduce((a, b) => a + b, 0) / defined.length;
        if (defined.length === 0) {
          assert.equal(m.metrics[metric]!.mean, undefined);
          continue;
        }
        assert.ok(Math.abs(m.metrics[metric]!.mean! - mean) < 1e-12, `${method}/${metric} mean`);
        const [lo, hi] = m.metrics[metric]!.ci95!;
        assert.ok(lo <= mean && mean <= hi);
      }
      // Pooled Dice from summed counts.
      const tp = rows.reduce((a, r) => a + (r.tp as number), 0);
      const fp = rows.reduce((a, r) => a + (r.fp as number), 0);
      const fn = rows.reduce((a, r) => a + (r.fn as number), 0);
      assert.ok(Math.abs(m.pooled.dice! - (2 * tp) / (2 * tp + fp + fn)) < 1e-12);
    }
    assert.equal(s.provider, undefined);
    assert.equal(s.images, 12);
  });

  test('files per RESULTS.md: per_image.csv, summary.json, 0/255 masks, 16-bit probabilities', async () => {
    const out = join(dir, 'out');
    const csv = readFileSync(join(out, 'per_image.csv'), 'utf8').trim().split('\n');
    assert.equal(csv[0], 'image_id,split,method,dice,iou,sensitivity,specificity,precision,auroc,hd95,ref_pixels,pred_pixels,tp,fp,fn,tn,source');
    assert.equal(csv.length, 1 + 12 * 8);
    assert.match(csv.find((l) => l.startsWith('img_03,,a,'))!, /^img_03,,a,0,0,,0\.9375,0,,,0,30,0,30,0,450,$/);
    assert.ok(existsSync(join(out, 'summary.json')));
    assert.equal((await sharp(join(out, 'masks', 'a', 'img_00.png')).metadata()).channels, 1);
    const mask = await sharp(join(out, 'masks', 'a', 'img_00.png')).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
    assert.ok([...mask.data].every((v) => v === 0 || v === 255));
    const prob = await sharp(join(out, 'prob', 'c', 'img_00.png')).metadata();
    assert.equal(prob.depth, 'ushort');
    const source = await sharp(join(dir, 'pred_c', 'img_00.png')).toColourspace('grey16').raw({ depth: 'ushort' }).toBuffer();
    const written = await sharp(join(out, 'prob', 'c', 'img_00.png')).toColourspace('grey16').raw({ depth: 'ushort' }).toBuffer();
    assert.ok(source.equals(written), 'a 16-bit probability map round-trips exactly');
  });

  test('a second run writes a byte-identical per_image.csv', async () => {
    const first = readFileSync(join(dir, 'out', 'per_image.csv'));
    await run();
    assert.ok(first.equals(readFileSync(join(dir, 'out', 'per_image.csv'))));
  });
});
