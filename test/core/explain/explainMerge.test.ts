import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { loadConfig } from '../../../server/src/core/config';
import type { MedsegConfig } from '../../../server/src/core/config/types';
import { resolveDataset } from '../../../server/src/core/dataset';
import type { ResolvedDataset } from '../../../server/src/core/dataset/types';
import { evaluateExperiment } from '../../../server/src/core/evaluate';
import { mergeShards } from '../../../server/src/core/evaluate/merge';
import { explainExperiment } from '../../../server/src/core/explain';
import { InputError } from '../../../server/src/core/findings';
import { buildDemoModel } from '../../../server/src/demo/models';

const N = 12;
let dir: string;
let config: MedsegConfig;
let dataset: ResolvedDataset;

/** Dark blobs on skin-coloured background, as the demo dermoscopy networks segment. */
async function writeCase(i: number): Promise<void> {
  const w = 40, h = 36;
  const rgb = Buffer.alloc(w * h * 3);
  const mask = Buffer.alloc(w * h);
  const cx = 12 + ((i * 7) % 16), cy = 10 + ((i * 5) % 14), r = 4 + (i % 6);
  for (let p = 0; p < w * h; p++) {
    const inside = ((p % w) - cx) ** 2 + (Math.floor(p / w) - cy) ** 2 <= r * r;
    rgb.set(inside ? [110, 70, 50] : [200, 160, 140], 3 * p);
    mask[p] = inside ? 255 : 0;
  }
  await sharp(rgb, { raw: { width: w, height: h, channels: 3 } }).png().toFile(join(dir, 'images', `case_${String(i).padStart(2, '0')}.png`));
  await sharp(mask, { raw: { width: w, height: h, channels: 1 } }).png().toFile(join(dir, 'masks', `case_${String(i).padStart(2, '0')}.png`));
}

async function explain(out: string, shard?: { index: number; count: number }, method: 'gradcam' | 'eigencam' = 'gradcam') {
  return explainExperiment(config, dataset, { outputDir: join(dir, out), images: 'all', method, shard });
}

async function evaluate(out: string, shard?: { index: number; count: number }) {
  return evaluateExperiment(config, dataset, { outputDir: join(dir, out), shard, report: false });
}

/** A row file without its `seconds` column (wall time, the one thing two runs never share). */
function rowsWithoutTime(file: string): string[] {
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  const at = lines[0].split(',').indexOf('seconds');
  assert.ok(at > 0);
  return lines.map((l) => l.split(',').filter((_, i) => i !== at).join(','));
}

function withoutTimes(report: Record<string, unknown>): Record<string, unknown> {
  const r = structuredClone(report) as Record<string, unknown> & { models: Record<string, Record<string, unknown>> };
  delete r.time;
  for (const m of Object.values(r.models)) {
    delete m.seconds_per_image;
    delete m.provider;
  }
  return r;
}

describe('explanations made per shard and merged', () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'medseg-explainmerge-'));
    mkdirSync(join(dir, 'images'));
    mkdirSync(join(dir, 'masks'));
    for (let i = 0; i < N; i++) await writeCase(i);
    writeFileSync(join(dir, 'sharp.onnx'), buildDemoModel('dermoscopy', 'tii-sharp'));
    writeFileSync(join(dir, 'under.onnx'), buildDemoModel('dermoscopy', 'lmi-under'));
    writeFileSync(
      join(dir, 'e.medseg.yaml'),
      'dataset:\n  images: images/*.png\n  masks: masks/{stem}.png\nmodels:\n' +
        '  - { name: sharp, path: sharp.onnx, family: TII, input: { size: [128, 128] } }\n' +
        '  - { name: under, path: under.onnx, family: LMI, input: { size: [128, 128] } }\n' +
        'evaluation: { bootstrap: 100, split: all, fusion: [] }\nruntime: { cache: cache, threads: 1 }\n',
    );
    const parsed = await loadConfig(join(dir, 'e.medseg.yaml'));
    assert.ok(parsed.config, JSON.stringify(parsed.findings));
    config = parsed.config;
    dataset = await resolveDataset(config);
    await evaluate('single');
    await explain('single');
    for (let i = 0; i < 3; i++) {
      await evaluate(`s${i + 1}`, { index: i, count: 3 });
      await explain(`s${i + 1}`, { index: i, count: 3 });
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('merge joins the shards\' explanations into what one explain --images all writes', async () => {
    const shardRows = [1, 2, 3].map((i) => rowsWithoutTime(join(dir, `s${i}`, 'explain', 'gradcam', 'sharp.csv')).length - 1);
    assert.equal(shardRows.reduce((a, b) => a + b, 0), N, 'every image explained in exactly one shard');
    assert.ok(shardRows.every((n) => n > 0 && n < N), `each shard has part of the images (${shardRows})`);
    const merged = await mergeShards([1, 2, 3].map((i) => join(dir, `s${i}`)), join(dir, 'merged'));
    assert.deepEqual(merged.explained, ['gradcam']);
    for (const model of ['sharp', 'under']) {
      assert.deepEqual(rowsWithoutTime(join(dir, 'merged', 'explain', 'gradcam', `${model}.csv`)), rowsWithoutTime(join(dir, 'single', 'explain', 'gradcam', `${model}.csv`)), `${model} rows`);
      assert.equal(readFileSync(join(dir, 'merged', 'explain', 'gradcam', `${model}.run.json`), 'utf8'), readFileSync(join(dir, 'single', 'explain', 'gradcam', `${model}.run.json`), 'utf8'));
      // Every heatmap of the single run is in the merged folder with the same bytes, hard-linked from its shard.
      const files = readdirSync(join(dir, 'single', 'heatmaps', 'gradcam', model)).sort();
      assert.equal(files.length, N);
      assert.deepEqual(readdirSync(join(dir, 'merged', 'heatmaps', 'gradcam', model)).sort(), files);
      for (const f of files) {
        const m = join(dir, 'merged', 'heatmaps', 'gradcam', model, f);
        assert.ok(readFileSync(m).equals(readFileSync(join(dir, 'single', 'heatmaps', 'gradcam', model, f))), f);
        assert.ok(statSync(m).nlink >= 2, `${f} is a link`);
      }
    }
    const single = JSON.parse(readFileSync(join(dir, 'single', 'explain.json'), 'utf8'));
    const joined = JSON.parse(readFileSync(join(dir, 'merged', 'explain.json'), 'utf8'));
    assert.equal(joined.shard, undefined);
    assert.deepEqual(withoutTimes(joined), withoutTimes(single));
    // TII against LMI on the heat inside the reference, on FP and on FN, each on every image.
    assert.deepEqual(single.families.map((f: { a: string; b: string; n: number }) => [f.a, f.b, f.n]), [['TII', 'LMI', N], ['TII', 'LMI', N], ['TII', 'LMI', N]]);
    assert.equal(single.models.sharp.images, N);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'merged', 'explain', 'gradcam', 'explain.json'), 'utf8')), joined);
  });

  test('a shard asked for a few images is refused: shards explain every image', async () => {
    await assert.rejects(explainExperiment(config, dataset, { outputDir: join(dir, 'few'), images: 4, shard: { index: 0, count: 3 } }), (e) => e instanceof InputError && e.code === 'explain/shard-needs-all' && /--images all/.test(e.message));
  });

  test('explanations missing in a shard, of another shard, or made with another setting are refused before anything is written', async () => {
    const copy = (from: string, to: string) => {
      rmSync(join(dir, to), { recursive: true, force: true });
      cpSync(join(dir, from), join(dir, to), { recursive: true });
      return join(dir, to);
    };
    const refused = async (dirs: string[], code: string, message: RegExp) => {
      const out = join(dir, `m-${Math.random().toString(36).slice(2)}`);
      await assert.rejects(mergeShards(dirs, out), (e) => e instanceof InputError && e.code === code && message.test(e.message));
      assert.ok(!readdirSync(dir).includes(out.split('/').pop()!), 'nothing written');
    };
    // Shard 2 explained with Eigen-CAM too, the others not: that method cannot be joined.
    const extra = copy('s2', 'extra2');
    await explain('extra2', { index: 1, count: 3 }, 'eigencam');
    await refused([join(dir, 's1'), extra, join(dir, 's3')], 'merge/incomplete', /extra2 \(shard 2\/3\) hold no|hold no eigencam explanations, which other shards hold/);
    // Shard 3's explanations in shard 1's folder.
    const crossed = copy('s1', 'crossed1');
    rmSync(join(crossed, 'explain'), { recursive: true });
    rmSync(join(crossed, 'explain.json'));
    await explain('crossed1', { index: 2, count: 3 });
    await refused([crossed, join(dir, 's2'), join(dir, 's3')], 'merge/mismatch', /its gradcam explanations are of shard 3\/3, its evaluation of shard 1\/3/);
    // Another layer (or model file, target, settings): the run records differ.
    const other = copy('s3', 'other3');
    const run = join(other, 'explain', 'gradcam', 'under.run.json');
    writeFileSync(run, readFileSync(run, 'utf8').replace(/"layer": "[^"]*"/, '"layer": "another"'));
    await refused([join(dir, 's1'), join(dir, 's2'), other], 'merge/mismatch', /the gradcam explanations of model `under` were made with another model file, layer, target or settings/);
  });
});
