import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WriteError } from '../../../server/src/core/io/writeErrors';
import { PredictionCache } from '../../../server/src/core/results/predictionCache';
import { gzipBomb, makeTempDir } from '../io/helpers';

test('a volume entry that inflates beyond the size its header gives is a miss, found without inflating it', async () => {
  const { dir, cleanup } = makeTempDir();
  try {
    const cache = new PredictionCache(dir);
    const key = 'ab'.repeat(32);
    const prob = Uint16Array.from([0, 1, 2, 65535, 32768, 7, 9, 11, 13, 15, 17, 19]);
    await cache.put(key, { width: 3, height: 2, depth: 2, prob });
    assert.deepEqual(Array.from((await cache.get(key, 2))!.prob), Array.from(prob));

    // The same 16-byte header (MSC1, 3×2×2: 16 + 24 bytes promised), then 512 MiB of zeros.
    const header = new Uint8Array(16);
    const view = new DataView(header.buffer);
    [0x3143534d, 3, 2, 2].forEach((v, i) => view.setUint32(4 * i, v, true));
    writeFileSync(join(dir, key.slice(0, 2), `${key}.msc`), gzipBomb(header, 512));
    // Inflated whole, the entry would take 512 MiB at once: the process's peak memory shows it
    // whatever the machine's load (a time bound did not: it failed on a busy machine).
    const peakBefore = process.resourceUsage().maxRSS;
    assert.equal(await cache.get(key, 2), undefined);
    const grewKiB = process.resourceUsage().maxRSS - peakBefore;
    assert.ok(grewKiB < 128 * 1024, `peak memory grew by ${(grewKiB / 1024).toFixed(0)} MiB`);
  } finally {
    cleanup();
  }
});

test('a cache folder that cannot be written: put returns the prediction (2D: with its PNG bytes, no file to link), remembers the failure once, and stores nothing', async () => {
  const { dir, cleanup } = makeTempDir();
  try {
    writeFileSync(join(dir, 'blocker'), 'a file where the cache folder should be');
    const cache = new PredictionCache(join(dir, 'blocker', 'predictions'));
    const prob = Uint16Array.from([0, 65535, 32768, 1]);
    const stored = await cache.put('cd'.repeat(32), { width: 2, height: 2, depth: 1, prob });
    assert.deepEqual(Array.from(stored.prob), Array.from(prob));
    assert.ok(stored.png && stored.png.bytes.length > 0);
    assert.equal(stored.png.path, undefined, 'no cache file to hard-link into prob/');
    assert.ok(cache.unsaved instanceof WriteError);
    assert.equal(cache.unsaved.code, 'io/unwritable');
    assert.equal(cache.unsaved.errno, 'ENOTDIR');
    const volume = await cache.put('ef'.repeat(32), { width: 1, height: 1, depth: 2, prob: Uint16Array.from([1, 2]) });
    assert.deepEqual(Array.from(volume.prob), [1, 2]);
    assert.equal(await cache.get('cd'.repeat(32), 1), undefined);
  } finally {
    cleanup();
  }
});

test('an every-channel entry (regions) keeps its planes and argmax plane, 2D as well; an entry of the wrong kind or size is a miss', async () => {
  const { dir, cleanup } = makeTempDir();
  try {
    const cache = new PredictionCache(dir);
    const key = 'cd'.repeat(32);
    // 3 channels of a 2×2 image, channel after channel; the argmax as the model's floats gave it.
    const prob = Uint16Array.from([65535, 0, 100, 32768, 0, 65535, 200, 32767, 0, 0, 65235, 0]);
    const argmax = Uint8Array.from([0, 1, 2, 0]);
    await assert.rejects(cache.put(key, { width: 2, height: 2, depth: 1, prob, planes: 3 }), /argmax plane/);
    await cache.put(key, { width: 2, height: 2, depth: 1, prob, planes: 3, argmax });
    const back = (await cache.get(key, 1, 'all'))!;
    assert.deepEqual([back.width, back.height, back.depth, back.planes], [2, 2, 1, 3]);
    assert.deepEqual(Array.from(back.prob), Array.from(prob));
    assert.deepEqual(Array.from(back.argmax!), Array.from(argmax));
    // The single-plane lookup of the same key looks for a PNG and finds none.
    assert.equal(await cache.get(key, 1), undefined);
    // A truncated entry (one byte of the argmax plane missing) is recomputed, not misread.
    const { gzipSync, gunzipSync } = await import('node:zlib');
    const { readFileSync } = await import('node:fs');
    const file = join(dir, key.slice(0, 2), `${key}.msc`);
    writeFileSync(file, gzipSync(gunzipSync(readFileSync(file)).subarray(0, 20 + 2 * 12 + 3)));
    assert.equal(await cache.get(key, 1, 'all'), undefined);
  } finally {
    cleanup();
  }
});
