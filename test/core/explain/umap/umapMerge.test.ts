import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { loadConfig } from '../../../../server/src/core/config';
import type { MedsegConfig } from '../../../../server/src/core/config/types';
import { resolveDataset } from '../../../../server/src/core/dataset';
import type { ResolvedDataset } from '../../../../server/src/core/dataset/types';
import { evaluateExperiment } from '../../../../server/src/core/evaluate';
import { mergeShards } from '../../../../server/src/core/evaluate/merge';
import { shardOf } from '../../../../server/src/core/evaluate/selectCases';
import { umapExperiment, umapShardFeatures, type UmapReport, type UmapResult } from '../../../../server/src/core/explain';
import { InputError } from '../../../../server/src/core/findings';
import { GraphBuilder } from '../../../../server/src/core/onnx';

const SIZE = 16;
const N = 18;
const MAX_POINTS = 14;

/** A 1×1-conv network with a named 2-channel layer (`features`): its pooled activations are a map of their own. */
function model(w: [number, number], b: [number, number]): Uint8Array {
  const g = new GraphBuilder('tiny');
  const x = g.input('image', ['N', 1, SIZE, SIZE]);
  const a = g.relu(g.conv(x, { weights: w, shape: [2, 1, 1, 1], bias: b }), 'features');
  g.output(g.conv(a, { weights: [1, -1], shape: [1, 2, 1, 1], name: 'logits' }), ['N', 1, SIZE, SIZE]);
  return g.build();
}

/** Case i: a bright square of its own place and size on a dark textured background; the last test image inverted (out of distribution). */
function pixels(i: number): { image: Uint8Array; mask: Uint8Array } {
  const image = new Uint8Array(SIZE * SIZE);
  const mask = new Uint8Array(SIZE * SIZE);
  const [x0, y0, side] = [1 + (i % 5) * 2, 1 + (Math.floor(i / 5) % 4) * 2, 4 + (i % 4)];
  const inverted = i === N - 1;
  for (let y = 0; y < SIZE; y++)
    for (let x = 0; x < SIZE; x++) {
      const inside = x >= x0 && x < x0 + side && y >= y0 && y < y0 + side;
      image[y * SIZE + x] = inside ? 200 : inverted ? 140 + ((x * 7 + y * 3) % 50) : 30 + ((x + y + i) % 7);
      mask[y * SIZE + x] = inside ? 255 : 0;
    }
  return { image, mask };
}

const grey = (data: Uint8Array) => sharp(Buffer.from(data), { raw: { width: SIZE, height: SIZE, channels: 1 } }).toColourspace('b-w').png().toBuffer();
const id = (i: number) => `case${String(i).padStart(2, '0')}`;
const split = (i: number) => (i < 12 ? 'train' : 'test');

/** umap.json without what two runs never share: the time stamp and the phases' wall seconds. */
const timeless = (text: string) => text.replace(/"time":"[^"]*"/, '"time":"–"').replace(/"seconds":\{[^}]*\}/g, '"seconds":{}');

let dir: string;
let config: MedsegConfig;
let dataset: ResolvedDataset;
let single: UmapResult;
const shardDir = (i: number) => join(dir, `s${i}`);

describe('UMAP features made per shard and merged', () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'medseg-umapmerge-'));
    mkdirSync(join(dir, 'images'));
    mkdirSync(join(dir, 'masks'));
    for (let i = 0; i < N; i++) {
      const { image, mask } = pixels(i);
      writeFileSync(join(dir, 'images', `${id(i)}.png`), await grey(image));
      writeFileSync(join(dir, 'masks', `${id(i)}.png`), await grey(mask));
    }
    writeFileSync(join(dir, 'splits.csv'), ['image_id,split', ...Array.from({ length: N }, (_, i) => `${id(i)},${split(i)}`)].join('\n') + '\n');
    writeFileSync(join(dir, 'clinical.csv'), ['image_id,site', ...Array.from({ length: N }, (_, i) => `${id(i)},${i % 3 ? 'arm' : 'leg'}`)].join('\n') + '\n');
    writeFileSync(join(dir, 'm.onnx'), model([10, -10], [-5, 5]));
    writeFileSync(join(dir, 'm2.onnx'), model([6, -8], [-2, 4]));
    const modelYaml = (name: string) => `  - name: ${name}\n    path: ${name}.onnx\n    input: { size: [${SIZE}, ${SIZE}], layout: NCHW, channels: 1, normalize: unit }\n    output: { activation: sigmoid, channel: 0, threshold: 0.5 }\n`;
    writeFileSync(
      join(dir, 'u.medseg.yaml'),
      `name: u\ndataset:\n  images: images/*.png\n  masks: masks/{stem}.png\n  labels: clinical.csv\n  id_column: image_id\n  label_columns: [site]\n  foreground: 255\nsplits:\n  file: splits.csv\nmodels:\n${modelYaml('m')}${modelYaml('m2')}` +
        `evaluation: { split: all, bootstrap: 100, fusion: [], correct_dice: 0.8 }\nexplain:\n  umap: { features: features, neighbors: 5, seed: 3, max_points: ${MAX_POINTS} }\nruntime: { provider: cpu, threads: 1, cache: cache }\noutput: out\n`,
    );
    const parsed = await loadConfig(join(dir, 'u.medseg.yaml'));
    assert.ok(parsed.config, JSON.stringify(parsed.findings));
    config = parsed.config;
    dataset = await resolveDataset(config);
    assert.deepEqual(dataset.findings.filter((f) => f.severity === 'error'), []);
    await evaluateExperiment(config, dataset, { outputDir: join(dir, 'single'), report: false });
    single = await umapExperiment(config, dataset, { outputDir: join(dir, 'single') });
    for (let i = 0; i < 3; i++) {
      await evaluateExperiment(config, dataset, { outputDir: shardDir(i + 1), shard: { index: i, count: 3 }, report: false });
      await umapShardFeatures(config, dataset, { outputDir: shardDir(i + 1), shard: { index: i, count: 3 } });
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('each shard keeps the features of its images of the sample only, by evaluate\'s hash of the id', async () => {
    const report = JSON.parse(readFileSync(join(dir, 'single', 'umap.json'), 'utf8')) as UmapReport;
    const onMap = report.maps[0].points.map((p) => p.id);
    assert.equal(onMap.length, MAX_POINTS);
    assert.deepEqual(report.subsample, { total: N, kept: MAX_POINTS, max_points: MAX_POINTS, rule: report.subsample.rule });
    for (let i = 0; i < 3; i++) {
      const bytes = readFileSync(join(shardDir(i + 1), 'shard', 'umap_features.bin'));
      const header = JSON.parse(bytes.subarray(16, 16 + bytes.readUInt32LE(12)).toString('utf8'));
      assert.deepEqual(header.ids, onMap.filter((x) => shardOf(x, 3) === i), `shard ${i + 1}`);
      assert.deepEqual(header.maps.map((m: { name: string; rows: number; width: number }) => [m.name, m.rows, m.width]), [
        ['images', header.ids.length, 768],
        ['m:features', header.ids.length, 2],
        ['m2:features', header.ids.length, 2],
      ]);
    }
  });

  test('merge embeds the 3 shards\' image and layer features once: umap.json byte-identical to one medseg umap (but time and seconds), the same findings', async () => {
    const merged = await mergeShards([1, 2, 3].map(shardDir), join(dir, 'merged'));
    assert.deepEqual(merged.mapped, ['images', 'm:features', 'm2:features']);
    const one = readFileSync(join(dir, 'single', 'umap.json'), 'utf8');
    const joined = readFileSync(join(dir, 'merged', 'umap.json'), 'utf8');
    assert.equal(timeless(joined), timeless(one));
    assert.notEqual(timeless(one), one, 'the time stamp and the seconds are all that was masked');
    const report = JSON.parse(one) as UmapReport;
    // Coloured by the merged per_image.csv, as the single run by its own; test images checked against training images.
    assert.ok(report.maps.every((m) => m.points.every((p) => typeof p.dice.m === 'number' && typeof p.dice.m2 === 'number')));
    assert.ok(report.maps.every((m) => m.out_of_distribution !== undefined && m.points.length === MAX_POINTS));
    assert.deepEqual(merged.findings.filter((f) => f.code.startsWith('explain/')), single.findings);
  });

  test('shards lacking features, with another shard\'s, or made from another config, build or feature kind are refused before anything is written', async () => {
    const copy = (from: number, to: string) => {
      rmSync(join(dir, to), { recursive: true, force: true });
      cpSync(shardDir(from), join(dir, to), { recursive: true });
      return join(dir, to);
    };
    const record = (d: string) => join(d, 'shard', 'umap_features.bin');
    /** Rewrites a record's JSON header (layout: 8-byte magic, version, header length, header). */
    const patchHeader = (d: string, change: (h: Record<string, unknown>) => void) => {
      const bytes = readFileSync(record(d));
      const length = bytes.readUInt32LE(12);
      const h = JSON.parse(bytes.subarray(16, 16 + length).toString('utf8'));
      change(h);
      const text = JSON.stringify(h);
      const json = Buffer.from(text + ' '.repeat((4 - (Buffer.byteLength(text) % 4)) % 4));
      const prefix = Buffer.from(bytes.subarray(0, 16));
      prefix.writeUInt32LE(json.length, 12);
      writeFileSync(record(d), Buffer.concat([prefix, json, bytes.subarray(16 + length)]));
    };
    const refused = async (dirs: string[], code: string, message: RegExp) => {
      const out = join(dir, `m-${Math.random().toString(36).slice(2)}`);
      await assert.rejects(mergeShards(dirs, out), (e) => e instanceof InputError && e.code === code && message.test(e.message), `${code} ${message}`);
      assert.ok(!existsSync(out), 'nothing written');
    };
    // Shard 2 without its features: named, with the command that makes them.
    const lacking = copy(2, 'lacking2');
    rmSync(record(lacking));
    await refused([shardDir(1), lacking, shardDir(3)], 'merge/incomplete', new RegExp(`lacking2 \\(shard 2/3\\) hold no UMAP features .*make them with \`medseg umap .*u\\.medseg\\.yaml --shard 2/3 --output .*lacking2\``));
    // A shard folder missing altogether: the evaluation's check names it.
    await refused([shardDir(1), shardDir(3)], 'merge/incomplete', /shard\(s\) 2\/3 missing/);
    // Shard 2's features in shard 1's folder: shard 2 given twice.
    const twice = copy(1, 'twice1');
    cpSync(record(shardDir(2)), record(twice));
    await refused([twice, shardDir(2), shardDir(3)], 'merge/mismatch', /twice1 \(shard 1\/3\) cannot be merged .*its UMAP features are of shard 2\/3, its evaluation of shard 1\/3 \(so shard 2\/3's features are given twice: .*s2 holds them too\)\. Re-run `medseg umap .* --shard 1\/3 --output .*twice1`/);
    // Features made from another config text than the folder's evaluation.
    const otherText = copy(3, 'text3');
    await umapShardFeatures({ ...config, sourceSha256: 'a'.repeat(64) }, dataset, { outputDir: otherText, shard: { index: 2, count: 3 } });
    await refused([shardDir(1), shardDir(2), otherText], 'merge/mismatch', /text3 \(shard 3\/3\) cannot be merged .*another config text than its evaluation \(sha256 aaaaaaaaaaaa… against/);
    // Another build.
    const otherBuild = copy(3, 'build3');
    patchHeader(otherBuild, (h) => (h.build = 'build-from-elsewhere'));
    await refused([shardDir(1), shardDir(2), otherBuild], 'merge/mismatch', /another medseg build than its evaluation \(.* build build-from-elsewhere against .*\)/);
    // Another feature kind: image features only (same config text, so the settings tell).
    const imagesOnly = copy(3, 'kind3');
    await umapShardFeatures({ ...config, explain: { ...config.explain, umap: { ...config.explain.umap, features: 'images' } } }, dataset, { outputDir: imagesOnly, shard: { index: 2, count: 3 } });
    await refused([shardDir(1), shardDir(2), imagesOnly], 'merge/mismatch', /kind3 \(shard 3\/3\) cannot be merged .*other settings \(features images, layer –, .*\) than .*s1's \(features features, layer features/);
    // Another model file behind a map.
    const otherModel = copy(3, 'model3');
    patchHeader(otherModel, (h) => ((h.maps as { model_sha256?: string }[])[2].model_sha256 = '0'.repeat(64)));
    await refused([shardDir(1), shardDir(2), otherModel], 'merge/mismatch', /other maps or model files \(images, m:features \(model sha256 [0-9a-f]{12}…\), m2:features \(model sha256 000000000000…\)\)/);
    // Ids that are not the shard's share of the sample, in order (a record of another run with the same digests).
    const wrongIds = copy(3, 'ids3');
    const headerOf = (d: string) => {
      const bytes = readFileSync(record(d));
      return JSON.parse(bytes.subarray(16, 16 + bytes.readUInt32LE(12)).toString('utf8')) as { ids: string[] };
    };
    const elsewhere = headerOf(shardDir(1)).ids[0];
    patchHeader(wrongIds, (h) => ((h.ids as string[])[0] = elsewhere));
    await refused([shardDir(1), shardDir(2), wrongIds], 'merge/mismatch', /ids3 \(shard 3\/3\) cannot be merged .*its UMAP features are of \d+ images, not of the \d+ images of shard 3\/3 on the maps, in id order/);
    // A header whose rows do not add up to its images.
    const short = copy(2, 'short2');
    patchHeader(short, (h) => (h.unreadable = [(h.ids as string[])[0]]));
    await refused([shardDir(1), short, shardDir(3)], 'merge/not-a-shard', /short2\/shard\/umap_features\.bin is not a UMAP feature record this medseg reads \(map images has \d+ rows, not one per image of the shard that is on it\)/);
    // A corrupt record.
    const corrupt = copy(1, 'corrupt1');
    writeFileSync(record(corrupt), 'not a record');
    await refused([corrupt, shardDir(2), shardDir(3)], 'merge/not-a-shard', /corrupt1\/shard\/umap_features\.bin is not a UMAP feature record .*re-run `medseg umap <config> --shard I\/N --output .*corrupt1`/);
  });
});
