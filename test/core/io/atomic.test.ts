import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../../server/src/core/io';
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
