import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { linkFileAtomic, writeFileAtomic } from '../../../server/src/core/io';
import { makeTempDir } from './helpers';

test('writeFileAtomic creates parent folders, replaces content whole and leaves no temp file', async () => {
  const { dir, cleanup } = makeTempDir();
  try {
    const file = join(dir, 'a/b/summary.json');
    await writeFileAtomic(file, '{"n": 1}');
    assert.equal(readFileSync(file, 'utf8'), '{"n": 1}');
    await writeFileAtomic(file, new Uint8Array([1, 2, 3]), { fsync: true });
    assert.deepEqual([...readFileSync(file)], [1, 2, 3]);
    await Promise.all(Array.from({ length: 8 }, (_, i) => writeFileAtomic(file, `writer ${i}`)));
    assert.match(readFileSync(file, 'utf8'), /^writer [0-7]$/);
    assert.deepEqual(readdirSync(join(dir, 'a/b')), ['summary.json']);
  } finally {
    cleanup();
  }
});

test('a failed write leaves neither the target nor a temp file', async () => {
  const { dir, cleanup } = makeTempDir();
  try {
    // the target is an existing non-empty folder, so the final rename fails
    await writeFileAtomic(join(dir, 'out/inner/x'), 'x');
    await assert.rejects(writeFileAtomic(join(dir, 'out/inner'), 'y'));
    assert.deepEqual(readdirSync(join(dir, 'out')), ['inner']);
  } finally {
    cleanup();
  }
});

test('linkFileAtomic makes the target a hard link of the source, replaces an existing target whole, and reports a missing source', async () => {
  const { dir, cleanup } = makeTempDir();
  try {
    const source = join(dir, 'cache/ab/entry.png');
    await writeFileAtomic(source, 'cached bytes');
    const target = join(dir, 'out/prob/m/img.png');
    await writeFileAtomic(target, 'old content');
    assert.equal(await linkFileAtomic(source, target), true);
    assert.equal(readFileSync(target, 'utf8'), 'cached bytes');
    assert.equal(statSync(target).ino, statSync(source).ino);
    assert.equal(statSync(source).nlink, 2);
    assert.deepEqual(readdirSync(join(dir, 'out/prob/m')), ['img.png'], 'no temp file left');
    await assert.rejects(linkFileAtomic(join(dir, 'missing.png'), target), { code: 'ENOENT' });
    assert.equal(readFileSync(target, 'utf8'), 'cached bytes', 'a failed link leaves the target as it was');
  } finally {
    cleanup();
  }
});
