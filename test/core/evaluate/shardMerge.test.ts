import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../../server/src/core/config';
import { resolveDataset } from '../../../server/src/core/dataset';
import { evaluateExperiment } from '../../../server/src/core/evaluate';
import { mergeShards } from '../../../server/src/core/evaluate/merge';

const fixture = join(__dirname, '..', '..', 'fixtures', 'evaluate', 'data');
let dir: string;

/** Deep comparison with numbers equal to 1e-12 (relative for large values). */
function assertClose(a: unknown, b: unknown, path: string): void {
  if (typeof a === 'number' && typeof b === 'number') {
    assert.ok(Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(a)), `${path}: ${a} vs ${b}`);
  } else if (Array.isArray(a) && Array.isArray(b)) {
    assert.equal(a.length, b.length, `${path} length`);
    a.forEach((x, i) => assertClose(x, b[i], `${path}[${i}]`));
  } else if (a && b && typeof a === 'object' && typeof b === 'object') {
    assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort(), `${path} keys`);
    for (const k of Object.keys(a)) assertClose((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
  } else assert.deepEqual(a, b, path);
}

async function run(out: string, shard?: { index: number; count: number }) {
  const parsed = await loadConfig(join(dir, 'split.medseg.yaml'));
  assert.ok(parsed.config, JSON.stringify(parsed.findings));
  return evaluateExperiment(parsed.config, await resolveDataset(parsed.config), { outputDir: join(dir, out), shard, report: false });
}

describe('evaluate --shard I/N and merge', () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'medseg-shard-'));
    cpSync(fixture, dir, { recursive: true });
    const splits = ['image_id,split', ...Array.from({ length: 12 }, (_, i) => `img_${String(i).padStart(2, '0')},${i % 3 === 0 ? 'val' : 'test'}`)];
    writeFileSync(join(dir, 'splits.csv'), splits.join('\n') + '\n');
    writeFileSync(join(dir, 'split.medseg.yaml'), readFileSync(join(dir, 'fixture.medseg.yaml'), 'utf8') + 'splits:\n  file: splits.csv\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('three shards merged equal a single run: per_image.csv byte for byte, summary.json to 1e-12', async () => {
    const single = await run('single');
    assert.equal(single.summary.images, 8);
    assert.ok((single.summary.fusion as { deployable?: unknown }).deployable, 'deployable fusion chosen on val');
    const shards = [];
    for (let i = 0; i < 3; i++) shards.push(await run(`shard${i + 1}`, { index: i, count: 3 }));
    assert.equal(shards.reduce((a, s) => a + s.summary.images, 0), 8, 'every image in exactly one shard');
    const merged = await mergeShards([join(dir, 'shard3'), join(dir, 'shard1'), join(dir, 'shard2')], join(dir, 'merged'));
    assert.deepEqual(merged.findings.filter((f) => f.severity === 'error'), []);
    for (const file of ['per_image.csv', 'fusion_changes.csv']) {
      assert.ok(readFileSync(join(dir, 'single', file)).equals(readFileSync(join(dir, 'merged', file))), `${file} identical`);
    }
    const a = JSON.parse(readFileSync(join(dir, 'single', 'summary.json'), 'utf8'));
    const b = JSON.parse(readFileSync(join(dir, 'merged', 'summary.json'), 'utf8'));
    for (const key of ['time', 'shard', 'merged_from']) {
      delete a[key];
      delete b[key];
    }
    assertClose(a, b, 'summary');
    // masks/, prob/ and errors/ of every shard are in the merged folder as hard links, not copies.
    let linked = 0;
    for (const shard of ['shard1', 'shard2', 'shard3']) {
      for (const folder of ['masks', 'prob', 'errors']) {
        for (const method of readdirSync(join(dir, shard, folder))) {
          for (const file of readdirSync(join(dir, shard, folder, method))) {
            const merged = join(dir, 'merged', folder, method, file);
            assert.ok(existsSync(merged), merged);
            assert.equal(statSync(merged).ino, statSync(join(dir, shard, folder, method, file)).ino, merged);
            linked++;
          }
        }
      }
    }
    // 8 images × (3 models × 3 folders + 5 fusions × 2 folders): every file of a single run.
    assert.equal(linked, 8 * (3 * 3 + 5 * 2));
  });

  test('a missing or repeated shard is refused with a clear error', async () => {
    await assert.rejects(mergeShards([join(dir, 'shard1'), join(dir, 'shard2')], join(dir, 'm2')), /shard\(s\) 3\/3 missing/);
    await assert.rejects(mergeShards([join(dir, 'shard1'), join(dir, 'shard1'), join(dir, 'shard2')], join(dir, 'm3')), /given twice/);
    await assert.rejects(mergeShards([join(dir, 'single')], join(dir, 'm4')), /holds no shard results/);
  });
});
