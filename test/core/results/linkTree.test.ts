import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { linkTree } from '../../../server/src/core/results/linkTree';

describe('linkTree', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'medseg-link-'));
    mkdirSync(join(dir, 'src', 'masks', 'm1', 'case_1'), { recursive: true });
    writeFileSync(join(dir, 'src', 'masks', 'm1', 'a.png'), 'A');
    writeFileSync(join(dir, 'src', 'masks', 'm1', 'case_1', 'b.png'), 'B');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('every file of the tree becomes a hard link at the same place (sub-folders too)', async () => {
    const r = await linkTree(join(dir, 'src'), join(dir, 'out'));
    assert.deepEqual(r, { linked: 2, copied: 0 });
    for (const rel of ['masks/m1/a.png', 'masks/m1/case_1/b.png']) {
      assert.equal(statSync(join(dir, 'out', rel)).ino, statSync(join(dir, 'src', rel)).ino, rel);
    }
  });

  test('an existing different file is replaced by the link; running again changes nothing', async () => {
    writeFileSync(join(dir, 'out', 'masks', 'm1', 'a.png.other'), 'x');
    rmSync(join(dir, 'out', 'masks', 'm1', 'a.png'));
    writeFileSync(join(dir, 'out', 'masks', 'm1', 'a.png'), 'stale');
    await linkTree(join(dir, 'src'), join(dir, 'out'));
    assert.equal(readFileSync(join(dir, 'out', 'masks', 'm1', 'a.png'), 'utf8'), 'A');
    assert.equal(statSync(join(dir, 'out', 'masks', 'm1', 'a.png')).ino, statSync(join(dir, 'src', 'masks', 'm1', 'a.png')).ino);
    assert.deepEqual(await linkTree(join(dir, 'src'), join(dir, 'out')), { linked: 2, copied: 0 });
    assert.deepEqual(readdirSync(join(dir, 'out', 'masks', 'm1')).sort(), ['a.png', 'a.png.other', 'case_1'], 'no temp files left');
  });

  test('where the file systems cannot link (EXDEV), the files are copied', async () => {
    let calls = 0;
    const exdev = () => {
      calls++;
      throw Object.assign(new Error('cross-device link not permitted'), { code: 'EXDEV' });
    };
    const r = await linkTree(join(dir, 'src'), join(dir, 'copy'), { link: exdev });
    assert.deepEqual(r, { linked: 0, copied: 2 });
    assert.equal(calls, 1, 'one failed link is enough to know');
    assert.equal(readFileSync(join(dir, 'copy', 'masks', 'm1', 'case_1', 'b.png'), 'utf8'), 'B');
    assert.notEqual(statSync(join(dir, 'copy', 'masks', 'm1', 'a.png')).ino, statSync(join(dir, 'src', 'masks', 'm1', 'a.png')).ino);
  });

  test('other link errors are not swallowed', async () => {
    const eio = () => {
      throw Object.assign(new Error('i/o error'), { code: 'EIO' });
    };
    await assert.rejects(linkTree(join(dir, 'src'), join(dir, 'x'), { link: eio }), /i\/o error/);
  });
});
