import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { WriteError } from '../../../server/src/core/io/writeErrors';
import { SCAN_CACHE_VERSION, ScanCache } from '../../../server/src/core/scan/cache';
import { makeTempDir } from '../io/helpers';

test('ScanCache.save: a cache that cannot be written is returned (validation goes on), not thrown; a writable one round-trips', async () => {
  const { dir, cleanup } = makeTempDir();
  try {
    writeFileSync(join(dir, 'share-file'), 'x');
    const blocked = await ScanCache.open(join(dir, 'share-file', 'cache', 'scan-v3.json'));
    blocked.set('k', { id: 'a' });
    const unsaved = await blocked.save();
    assert.ok(unsaved instanceof WriteError);
    assert.equal(unsaved.code, 'io/unwritable');
    assert.equal(unsaved.errno, 'ENOTDIR');
    assert.equal(blocked.get('k')?.id, 'a', 'the entries of this run are still there');

    const file = join(dir, 'cache', 'scan-v3.json');
    const cache = await ScanCache.open(file);
    assert.equal(await cache.save(), undefined, 'nothing changed: nothing written');
    cache.set('k', { id: 'b' });
    assert.equal(await cache.save(), undefined);
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { version: 3, entries: [['k', { id: 'b' }]] });
    assert.equal((await ScanCache.open(file)).get('k')?.id, 'b');
  } finally {
    cleanup();
  }
});

test('ScanCache.open: a file of another version is read as empty (its entries lack the mask labels of v3), a v3 file as it is', async () => {
  const { dir, cleanup } = makeTempDir();
  try {
    assert.equal(SCAN_CACHE_VERSION, 3);
    const old = join(dir, 'old.json');
    writeFileSync(old, JSON.stringify({ version: 2, entries: [['k', { id: 'a', mask: { foregroundPixels: 3 } }]] }));
    assert.equal((await ScanCache.open(old)).get('k'), undefined);
    const current = join(dir, 'current.json');
    writeFileSync(current, JSON.stringify({ version: 3, entries: [['k', { id: 'a', mask: { labels: [1, 2] } }]] }));
    assert.deepEqual((await ScanCache.open(current)).get('k'), { id: 'a', mask: { labels: [1, 2] } });
  } finally {
    cleanup();
  }
});
