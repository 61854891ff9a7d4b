import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FusionChangeLog, mergeFusionChangeFiles, type FusionChange } from '../../../server/src/core/results/fusionChanges';
import { SpoolFile } from '../../../server/src/core/results/spoolFile';

const order = ['m1', 'm2', 'fusion:union', 'fusion:majority', 'fusion:best'];
const members = ['m1', 'm2'];
const change = (fusion: string, member: string, fixedFp: number, fixedFn: number, brokenFp: number, brokenFn: number): FusionChange => ({ fusion, member, fixedFp, fixedFn, brokenFp, brokenFn });

describe('fusion_changes.csv', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'medseg-changes-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('cases arriving out of order are written in case order, sorted by fusion then member, and summed', async () => {
    const path = join(dir, 'a', 'fusion_changes.csv');
    const log = new FusionChangeLog(path, order, members);
    // Case 1 first, its lines in the wrong order; case 2 was not fused.
    const pending = log.add(1, 'img "b"', [change('fusion:majority', 'm2', 0, 1, 0, 0), change('fusion:union', 'm2', 0, 2, 3, 0), change('fusion:union', 'm1', 5, 0, 0, 7)]);
    assert.equal(existsSync(path), false);
    await log.add(2, 'img_c', []);
    await log.add(0, 'img_a', [change('fusion:union', 'm1', 1, 2, 3, 4)]);
    await pending;
    assert.equal(await log.finish(), true);
    assert.equal(
      readFileSync(path, 'utf8'),
      [
        'image_id,fusion,member,fixed_fp,fixed_fn,broken_fp,broken_fn',
        'img_a,fusion:union,m1,1,2,3,4',
        '"img ""b""",fusion:union,m1,5,0,0,7',
        '"img ""b""",fusion:union,m2,0,2,3,0',
        '"img ""b""",fusion:majority,m2,0,1,0,0',
        '',
      ].join('\n'),
    );
    assert.deepEqual(log.totals, {
      'fusion:union': { m1: { fixed_fp: 6, fixed_fn: 2, broken_fp: 3, broken_fn: 11 }, m2: { fixed_fp: 0, fixed_fn: 2, broken_fp: 3, broken_fn: 0 } },
      'fusion:majority': { m2: { fixed_fp: 0, fixed_fn: 1, broken_fp: 0, broken_fn: 0 } },
    });
    assert.deepEqual(readdirSync(join(dir, 'a')), ['fusion_changes.csv'], 'no temp file left');
  });

  test('no fused case: no file; a missing case is an error; a discarded log leaves nothing', async () => {
    const empty = new FusionChangeLog(join(dir, 'b', 'fusion_changes.csv'), order, members);
    await empty.add(0, 'x', []);
    assert.equal(await empty.finish(), false);
    assert.equal(existsSync(join(dir, 'b')), false);
    const gap = new FusionChangeLog(join(dir, 'c', 'fusion_changes.csv'), order, members);
    await gap.add(1, 'y', [change('fusion:union', 'm1', 1, 1, 1, 1)]);
    await assert.rejects(gap.finish(), /case 0 never came/);
    await gap.discard();
    assert.ok(!existsSync(join(dir, 'c')) || readdirSync(join(dir, 'c')).length === 0);
    assert.throws(() => gap.add(1, 'y', []), /given twice/);
  });

  test('shard files merge by image id into one file, equal to a single log over all cases', async () => {
    const header = 'image_id,fusion,member,fixed_fp,fixed_fn,broken_fp,broken_fn\n';
    writeFileSync(join(dir, 's1.csv'), header + 'a,fusion:union,m1,1,0,0,0\na,fusion:union,m2,0,1,0,0\nd,fusion:union,m1,4,0,0,0\n');
    writeFileSync(join(dir, 's2.csv'), header + 'b,fusion:union,m1,2,0,0,0\nc,fusion:union,m2,0,3,0,0\ne,fusion:union,m1,5,5,5,5\n');
    const log = new FusionChangeLog(join(dir, 'merged.csv'), order, members);
    await mergeFusionChangeFiles([join(dir, 's2.csv'), join(dir, 's1.csv')], log);
    await log.finish();
    assert.equal(
      readFileSync(join(dir, 'merged.csv'), 'utf8'),
      header + 'a,fusion:union,m1,1,0,0,0\na,fusion:union,m2,0,1,0,0\nb,fusion:union,m1,2,0,0,0\nc,fusion:union,m2,0,3,0,0\nd,fusion:union,m1,4,0,0,0\ne,fusion:union,m1,5,5,5,5\n',
    );
    assert.deepEqual(log.totals, { 'fusion:union': { m1: { fixed_fp: 12, fixed_fn: 5, broken_fp: 5, broken_fn: 5 }, m2: { fixed_fp: 0, fixed_fn: 4, broken_fp: 0, broken_fn: 0 } } });
  });

  test('a spool file appears whole at commit, in pieces larger than its buffer', async () => {
    const path = join(dir, 'big.txt');
    const spool = new SpoolFile(path);
    const piece = 'x'.repeat(300_000) + '\n';
    for (let i = 0; i < 10; i++) await spool.append(piece);
    assert.equal(existsSync(path), false, 'nothing at the target before commit');
    await spool.commit();
    assert.equal(readFileSync(path, 'utf8'), piece.repeat(10));
    await assert.rejects(spool.append('more'), /already committed/);
  });
});
