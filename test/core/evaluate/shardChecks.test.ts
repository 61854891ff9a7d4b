import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { loadConfig } from '../../../server/src/core/config';
import { resolveDataset } from '../../../server/src/core/dataset';
import { evaluateExperiment } from '../../../server/src/core/evaluate';
import { mergeShards } from '../../../server/src/core/evaluate/merge';
import { InputError } from '../../../server/src/core/findings';
import { ENGINE_BUILD } from '../../../server/src/core/version';
import { buildDemoModel } from '../../../server/src/demo/models';

const fixture = join(__dirname, '..', '..', 'fixtures', 'evaluate', 'data');
let dir: string;
let configText: string;

async function run(out: string, shard: { index: number; count: number }, file = 'split.medseg.yaml') {
  const parsed = await loadConfig(join(dir, file));
  assert.ok(parsed.config, JSON.stringify(parsed.findings));
  return evaluateExperiment(parsed.config, await resolveDataset(parsed.config), { outputDir: join(dir, out), shard, report: false });
}

/** Rewrites a shard's parts.json.gz through `edit` (what another build, version or run would have written). */
function editParts(shardDir: string, edit: (parts: Record<string, unknown>) => void): void {
  const file = join(shardDir, 'shard', 'parts.json.gz');
  const parts = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8'));
  edit(parts);
  writeFileSync(file, gzipSync(JSON.stringify(parts)));
}

function copyShard(from: string, to: string): string {
  rmSync(join(dir, to), { recursive: true, force: true });
  cpSync(join(dir, from), join(dir, to), { recursive: true });
  return join(dir, to);
}

async function refused(dirs: string[], code: string, message: RegExp): Promise<void> {
  await assert.rejects(mergeShards(dirs, join(dir, `merged-${Math.random().toString(36).slice(2)}`)), (e) => {
    assert.ok(e instanceof InputError, String(e));
    assert.equal(e.code, code, e.message);
    assert.match(e.message, message);
    return true;
  });
}

const shards = () => ['s1', 's2', 's3'].map((s) => join(dir, s));

describe('merge refuses shards that are not the whole of one run', () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'medseg-shardcheck-'));
    cpSync(fixture, dir, { recursive: true });
    const splits = ['image_id,split', ...Array.from({ length: 12 }, (_, i) => `img_${String(i).padStart(2, '0')},${i % 3 === 0 ? 'val' : 'test'}`)];
    writeFileSync(join(dir, 'splits.csv'), splits.join('\n') + '\n');
    configText = readFileSync(join(dir, 'fixture.medseg.yaml'), 'utf8') + 'splits:\n  file: splits.csv\n';
    writeFileSync(join(dir, 'split.medseg.yaml'), configText);
    for (let i = 0; i < 3; i++) await run(`s${i + 1}`, { index: i, count: 3 });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('the shards as they are merge (the checks pass on a real run)', async () => {
    const merged = await mergeShards(shards(), join(dir, 'merged-ok'));
    assert.equal(merged.summary.images, 8);
  });

  test('each shard records the config text, build, dataset and whole image list it ran from', () => {
    const parts = JSON.parse(gunzipSync(readFileSync(join(dir, 's2', 'shard', 'parts.json.gz'))).toString('utf8'));
    assert.equal(parts.version, 2);
    assert.equal(parts.build, ENGINE_BUILD);
    assert.equal(parts.config_sha256, createHashHex(configText));
    // Split `test` of the fixture: the 8 of 12 images not in val, all with masks; the list is of all shards together.
    const testIds = Array.from({ length: 12 }, (_, i) => i).filter((i) => i % 3 !== 0).map((i) => `img_${String(i).padStart(2, '0')}`);
    assert.deepEqual(parts.split_images, { count: 8, sha256: createHashHex(testIds.join('\n')) });
    assert.ok(parts.caseIds.length < 8 && parts.caseIds.every((id: string) => testIds.includes(id)));
  });

  test('a missing shard is named with the command that makes it', async () => {
    await refused([join(dir, 's1'), join(dir, 's3')], 'merge/incomplete', /shard\(s\) 2\/3 missing \(make one with `medseg evaluate .*split\.medseg\.yaml --split test --shard 2\/3 --output <folder>`/);
  });

  test('a config edited since the shards ran: merge/config-changed, naming the config', async () => {
    writeFileSync(join(dir, 'split.medseg.yaml'), configText + '# edited\n');
    try {
      await refused(shards(), 'merge/config-changed', /split\.medseg\.yaml has changed since the shards ran .*Restore the config, or re-run every shard/);
    } finally {
      writeFileSync(join(dir, 'split.medseg.yaml'), configText);
    }
  });

  test('one shard run from another config text: merge/mismatch naming that shard', async () => {
    writeFileSync(join(dir, 'split.medseg.yaml'), configText.replace('bootstrap: 200', 'bootstrap: 100'));
    try {
      await run('other3', { index: 2, count: 3 });
    } finally {
      writeFileSync(join(dir, 'split.medseg.yaml'), configText);
    }
    await refused([join(dir, 's1'), join(dir, 's2'), join(dir, 'other3')], 'merge/mismatch', /other3 \(shard 3\/3\) is not a shard of the same run as .*s1 \(shard 1\/3\): it ran from another config text/);
  });

  test('shards of another build: merge/mismatch among them, merge/other-build against this one', async () => {
    const other = copyShard('s2', 'build2');
    editParts(other, (p) => (p.build = 'feedfacefeedface'));
    await refused([join(dir, 's1'), other, join(dir, 's3')], 'merge/mismatch', /it was made by another medseg build \(.* build feedfacefeedface against .* build /);
    const all = ['s1', 's2', 's3'].map((s, i) => copyShard(s, `oldbuild${i}`));
    for (const d of all) editParts(d, (p) => (p.build = 'feedfacefeedface'));
    await refused(all, 'merge/other-build', new RegExp(`made by medseg .* build feedfacefeedface, and this is build ${ENGINE_BUILD}`));
  });

  test('a dataset changed since the shards ran (a mask removed): merge/dataset-changed', async () => {
    const mask = join(dir, 'masks', 'img_04_mask.png');
    const bytes = readFileSync(mask);
    unlinkSync(mask);
    try {
      await refused(shards(), 'merge/dataset-changed', /The dataset of .*split\.medseg\.yaml has changed since the shards ran \(split `test`: 7 images with a reference now, 8 then/);
    } finally {
      writeFileSync(mask, bytes);
    }
  });

  test('a shard that saw another split assignment: merge/mismatch', async () => {
    const splits = readFileSync(join(dir, 'splits.csv'), 'utf8');
    writeFileSync(join(dir, 'splits.csv'), splits.replace('img_00,val', 'img_00,test'));
    try {
      await run('moved1', { index: 0, count: 3 });
    } finally {
      writeFileSync(join(dir, 'splits.csv'), splits);
    }
    await refused([join(dir, 'moved1'), join(dir, 's2'), join(dir, 's3')], 'merge/mismatch', /it saw another dataset \(9 images in split `test` against 8|it saw another dataset \(8 images in split `test` against 9/);
  });

  test('shards whose images together are not the split: merge/incomplete', async () => {
    const short = copyShard('s1', 'short1');
    editParts(short, (p) => (p.caseIds = (p.caseIds as string[]).slice(1)));
    await refused([short, join(dir, 's2'), join(dir, 's3')], 'merge/incomplete', /The shards hold 7 images together, but split `test` had 8 when they ran/);
  });

  test('parts of the previous format (no config, build or image list) are refused as not this medseg\'s shards', async () => {
    const old = copyShard('s1', 'v1');
    editParts(old, (p) => {
      p.version = 1;
      delete p.build;
      delete p.config_sha256;
    });
    await refused([old, join(dir, 's2'), join(dir, 's3')], 'merge/not-a-shard', /another format \(version 1, this medseg reads 2\).*re-run `medseg evaluate --shard I\/N` for this folder/);
  });
});

function createHashHex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

describe('merge refuses shards that ran another model file', () => {
  let onnxDir: string;
  before(async () => {
    onnxDir = mkdtempSync(join(tmpdir(), 'medseg-shardmodel-'));
    mkdirSync(join(onnxDir, 'images'));
    mkdirSync(join(onnxDir, 'masks'));
    for (let i = 0; i < 6; i++) {
      const w = 48, h = 40;
      const rgb = Buffer.alloc(w * h * 3, 200);
      const mask = Buffer.alloc(w * h);
      for (let p = 0; p < w * h; p++) if (Math.hypot((p % w) - 20 - i, Math.floor(p / w) - 20) < 8) (mask[p] = 255), rgb.fill(80, 3 * p, 3 * p + 3);
      await sharp(rgb, { raw: { width: w, height: h, channels: 3 } }).png().toFile(join(onnxDir, 'images', `c${i}.png`));
      await sharp(mask, { raw: { width: w, height: h, channels: 1 } }).png().toFile(join(onnxDir, 'masks', `c${i}.png`));
    }
    writeFileSync(join(onnxDir, 'net.onnx'), buildDemoModel('dermoscopy', 'tii-sharp'));
    writeFileSync(
      join(onnxDir, 'm.medseg.yaml'),
      'dataset:\n  images: images/*.png\n  masks: masks/{stem}.png\nmodels:\n  - name: net\n    path: net.onnx\n    input: { size: [128, 128] }\nevaluation: { bootstrap: 20, split: all }\nruntime: { cache: cache, threads: 1 }\n',
    );
  });
  after(() => rmSync(onnxDir, { recursive: true, force: true }));

  test('the model file replaced between two shards: merge/mismatch naming the model and both digests', async () => {
    const shard = async (index: number) => {
      const parsed = await loadConfig(join(onnxDir, 'm.medseg.yaml'));
      assert.ok(parsed.config);
      await evaluateExperiment(parsed.config, await resolveDataset(parsed.config), { outputDir: join(onnxDir, `s${index + 1}`), shard: { index, count: 2 }, report: false });
    };
    await shard(0);
    writeFileSync(join(onnxDir, 'net.onnx'), buildDemoModel('dermoscopy', 'tii-over'));
    await shard(1);
    await assert.rejects(mergeShards([join(onnxDir, 's1'), join(onnxDir, 's2')], join(onnxDir, 'merged')), (e) => {
      assert.ok(e instanceof InputError);
      assert.equal(e.code, 'merge/mismatch');
      assert.match(e.message, /s2 \(shard 2\/2\) is not a shard of the same run as .*s1 \(shard 1\/2\): its model `net` is another file \(.*net\.onnx sha256 [0-9a-f]{12} .* against .*net\.onnx sha256 [0-9a-f]{12}/);
      return true;
    });
  });
});
