import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
import { InputError } from '../../../server/src/core/findings';
import { runStress } from '../../../server/src/core/stress';
import { buildDemoModel } from '../../../server/src/demo/models';

const N = 14;
let dir: string;
let config: MedsegConfig;
let dataset: ResolvedDataset;

async function writeCase(i: number): Promise<void> {
  const w = 40, h = 36;
  const rgb = Buffer.alloc(w * h * 3);
  const mask = Buffer.alloc(w * h);
  const cx = 12 + ((i * 7) % 16), cy = 10 + ((i * 5) % 14), r = 3 + (i % 7);
  for (let p = 0; p < w * h; p++) {
    const inside = ((p % w) - cx) ** 2 + (Math.floor(p / w) - cy) ** 2 <= r * r;
    rgb.set(inside ? [110 + i, 70, 50] : [200, 160 - i, 140], 3 * p);
    mask[p] = inside ? 255 : 0;
  }
  await sharp(rgb, { raw: { width: w, height: h, channels: 3 } }).png().toFile(join(dir, 'images', `c${String(i).padStart(2, '0')}.png`));
  await sharp(mask, { raw: { width: w, height: h, channels: 1 } }).png().toFile(join(dir, 'masks', `c${String(i).padStart(2, '0')}.png`));
}

const shard = (i: number) => ({ index: i, count: 3 });

/** stress.json without what names the run rather than its numbers: the time, and inferences (the cache decides them). */
function numbers(file: string): Record<string, unknown> {
  const r = JSON.parse(readFileSync(file, 'utf8'));
  delete r.time;
  if (r.perturbations) delete r.perturbations.inferences;
  return r;
}

describe('stress tests made per shard and merged', () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'medseg-stressmerge-'));
    mkdirSync(join(dir, 'images'));
    mkdirSync(join(dir, 'masks'));
    for (let i = 0; i < N; i++) await writeCase(i);
    writeFileSync(join(dir, 'labels.csv'), ['image_id,site', ...Array.from({ length: N }, (_, i) => `c${String(i).padStart(2, '0')},${['arm', 'leg', 'leg', 'back'][i % 4]}`)].join('\n') + '\n');
    writeFileSync(join(dir, 'sharp.onnx'), buildDemoModel('dermoscopy', 'tii-sharp'));
    writeFileSync(join(dir, 'over.onnx'), buildDemoModel('dermoscopy', 'tii-over'));
    writeFileSync(
      join(dir, 's.medseg.yaml'),
      'dataset:\n  images: images/*.png\n  masks: masks/{stem}.png\n  labels: labels.csv\n  id_column: image_id\n  label_columns: [site]\nmodels:\n' +
        '  - { name: sharp, path: sharp.onnx, input: { size: [128, 128] } }\n  - { name: over, path: over.onnx, input: { size: [128, 128] } }\n' +
        'evaluation: { bootstrap: 100, split: all, fusion: [union, majority] }\nstress: { repeats: 3, perturbations: [gaussian_noise, contrast, flip] }\nruntime: { cache: cache, threads: 1 }\n',
    );
    const parsed = await loadConfig(join(dir, 's.medseg.yaml'));
    assert.ok(parsed.config, JSON.stringify(parsed.findings));
    config = parsed.config;
    dataset = await resolveDataset(config);
    await evaluateExperiment(config, dataset, { outputDir: join(dir, 'single'), report: false });
    await runStress(config, dataset, { outputDir: join(dir, 'single') });
    for (let i = 0; i < 3; i++) {
      await evaluateExperiment(config, dataset, { outputDir: join(dir, `s${i + 1}`), shard: shard(i), report: false });
      await runStress(config, dataset, { outputDir: join(dir, `s${i + 1}`), shard: shard(i) });
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('merge writes the stress.json one medseg stress writes: perturbation curves and the label mixes over all images', async () => {
    const shardImages = [1, 2, 3].map((i) => JSON.parse(readFileSync(join(dir, `s${i}`, 'stress.json'), 'utf8')).perturbations.images as number);
    assert.equal(shardImages.reduce((a, b) => a + b, 0), N);
    assert.ok(shardImages.every((n) => n < N));
    const merged = await mergeShards([1, 2, 3].map((i) => join(dir, `s${i}`)), join(dir, 'merged'));
    assert.equal(merged.stressed, true);
    const single = numbers(join(dir, 'single', 'stress.json')) as { rows_from: string; label_mixes: { scenarios: unknown[] }; perturbations: { images: number; kinds: { kind: string }[]; methods: string[] } };
    assert.equal(single.rows_from, 'per_image.csv');
    assert.ok(single.label_mixes.scenarios.length > 0, 'label mixes ran');
    assert.deepEqual(single.perturbations.kinds.map((k) => k.kind), ['gaussian_noise', 'contrast', 'flip']);
    assert.deepEqual(single.perturbations.methods, ['sharp', 'over', 'fusion:union', 'fusion:majority']);
    assert.equal(single.perturbations.images, N);
    assert.deepEqual(numbers(join(dir, 'merged', 'stress.json')), single);
  });

  test('stress records missing in a shard, of another shard or of other settings are refused before anything is written', async () => {
    const copy = (from: string, to: string) => {
      rmSync(join(dir, to), { recursive: true, force: true });
      cpSync(join(dir, from), join(dir, to), { recursive: true });
      return join(dir, to);
    };
    const refused = (dirs: string[], code: string, message: RegExp) => assert.rejects(mergeShards(dirs, join(dir, `m-${code.replace('/', '-')}-${Math.random()}`)), (e) => e instanceof InputError && e.code === code && message.test(e.message));
    const none = copy('s2', 'none2');
    rmSync(join(none, 'shard', 'stress.json.gz'));
    await refused([join(dir, 's1'), none, join(dir, 's3')], 'merge/incomplete', /none2 \(shard 2\/3\) hold no stress tests, which other shards hold/);
    const other = copy('s3', 'other3');
    await runStress(config, dataset, { outputDir: other, shard: shard(2), perturbations: ['gaussian_noise'] });
    await refused([join(dir, 's1'), join(dir, 's2'), other], 'merge/mismatch', /its stress tests were run with other settings \(.*perturbations gaussian_noise,/);
    const crossed = copy('s1', 'crossed1');
    await runStress(config, dataset, { outputDir: crossed, shard: shard(1) });
    await refused([crossed, join(dir, 's2'), join(dir, 's3')], 'merge/mismatch', /its stress tests are of shard 2\/3, its evaluation of shard 1\/3/);
  });
});
