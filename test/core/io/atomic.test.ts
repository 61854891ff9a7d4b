import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linkSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { linkFileAtomic, writeFileAtomic } from '../../../server/src/core/io';
import { placeLinkSync } from '../../../server/src/core/io/atomic';
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

test('linking a target that already is a link to the source leaves no temp file (rename onto the same inode is a no-op in POSIX)', async () => {
  const { dir, cleanup } = makeTempDir();
  try {
    const source = join(dir, 'cache/ab/entry.png');
    await writeFileAtomic(source, 'cached bytes');
    const target = join(dir, 'out/prob/m/img.png');
    for (let run = 0; run < 3; run++) assert.equal(await linkFileAtomic(source, target), true);
    assert.deepEqual(readdirSync(join(dir, 'out/prob/m')), ['img.png']);
    assert.equal(statSync(target).ino, statSync(source).ino);
    assert.equal(statSync(source).nlink, 2, 'the source and the one target: no hidden temporary link');
  } finally {
    cleanup();
  }
});

test('placeLinkSync leaves no temp file when another writer links the same file between its check and its rename', async () => {
  const { dir, cleanup } = makeTempDir();
  try {
    const source = join(dir, 'shard/masks/a.png');
    await writeFileAtomic(source, 'A');
    const target = join(dir, 'out/masks/a.png');
    await writeFileAtomic(target, 'stale');
    // The link of the temp name is the moment the other writer replaces the target by the same file.
    const racingLink = (existing: string, created: string) => {
      linkSync(existing, created);
      if (created !== target && statSync(target).ino !== statSync(existing).ino) {
        rmSync(target);
        linkSync(existing, target);
      }
    };
    placeLinkSync(source, target, racingLink);
    assert.deepEqual(readdirSync(join(dir, 'out/masks')), ['a.png']);
    assert.equal(readFileSync(target, 'utf8'), 'A');
    assert.equal(statSync(source).nlink, 2);
  } finally {
    cleanup();
  }
});
