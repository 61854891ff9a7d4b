import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { WriteError } from '../../../server/src/core/io/writeErrors';
import { ScanCache } from '../../../server/src/core/scan/cache';
import { makeTempDir } from '../io/helpers';

test('ScanCache.save: a cache that cannot be written is returned (validation goes on), not thrown; a writable one round-trips', async () => {
  const { dir, cleanup } = makeTempDir();
  try {
    writeFileSync(join(dir, 'share-file'), 'x');
    const blocked = await ScanCache.open(join(dir, 'share-file', 'cache', 'scan-v2.json'));
    blocked.set('k', { id: 'a' });
    const unsaved = await blocked.save();
    assert.ok(unsaved instanceof WriteError);
    assert.equal(unsaved.code, 'io/unwritable');
    assert.equal(unsaved.errno, 'ENOTDIR');
    assert.equal(blocked.get('k')?.id, 'a', 'the entries of this run are still there');

    const file = join(dir, 'cache', 'scan-v2.json');
    const cache = await ScanCache.open(file);
    assert.equal(await cache.save(), undefined, 'nothing changed: nothing written');
    cache.set('k', { id: 'b' });
    assert.equal(await cache.save(), undefined);
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { version: 1, entries: [['k', { id: 'b' }]] });
    assert.equal((await ScanCache.open(file)).get('k')?.id, 'b');
  } finally {
    cleanup();
  }
});
