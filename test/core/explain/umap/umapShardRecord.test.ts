import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { FeatureMatrix } from '../../../../server/src/core/explain/umap/featureMatrix';
import type { FeatureSource } from '../../../../server/src/core/explain/umap/umapFeatures';
import { readUmapFeatureHeader, readUmapFeatureRows, umapFeaturesFile, writeUmapFeatures, type UmapFeatureHeader } from '../../../../server/src/core/explain/umap/umapShardRecord';
import { InputError } from '../../../../server/src/core/findings';

const dir = mkdtempSync(join(tmpdir(), 'medseg-umaprecord-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const IDS = ['a', 'b', 'c', 'd'];
/** Values no float32 rounds: small integers and binary fractions, one of them negative. */
const IMAGE_ROWS: Record<string, number[]> = { a: [1, 2, 3], c: [0.5, -4, 8], d: [0.25, 16, 1024] };
const LAYER_ROWS: Record<string, number[]> = { a: [7, -7], c: [0.125, 3] };

function header(): Omit<UmapFeatureHeader, 'maps' | 'version'> {
  return {
    shard: { index: 1, count: 3 },
    config: '/study/x.medseg.yaml',
    config_sha256: 'c'.repeat(64),
    engine_version: '0.1.0',
    build: 'b1',
    dataset_sha256: 'd'.repeat(64),
    settings: { features: 'auto', layer: 'auto', max_points: 60000, seed: 42 },
    images: { count: 12, sha256: 'e'.repeat(64) },
    ids: IDS,
    unreadable: ['b'],
    model_findings: [],
  };
}

/** Image features of a, c, d (b is unreadable); the model failed on d, so its map has a and c. */
function sources(): FeatureSource[] {
  const images = new FeatureMatrix(4);
  const layer = new FeatureMatrix(4);
  for (const [id, v] of Object.entries(IMAGE_ROWS)) images.set(IDS.indexOf(id), Float32Array.from(v));
  for (const [id, v] of Object.entries(LAYER_ROWS)) layer.set(IDS.indexOf(id), Float32Array.from(v));
  return [
    { name: 'images', features: 'images', matrix: images, failed: [] },
    { name: 'net:enc4', features: 'layer', model: 'net', layer: 'enc4', modelSha256: 'f'.repeat(64), matrix: layer, failed: ['d'], failureMessage: 'd: the model failed' },
  ];
}

describe('UMAP feature record of a shard', () => {
  test('the documented layout, read by hand: magic, version, padded JSON header, little-endian Float32 rows at their offsets', async () => {
    const out = join(dir, 'layout');
    await writeUmapFeatures(out, header(), sources());
    const bytes = readFileSync(join(out, 'shard', 'umap_features.bin'));
    assert.equal(bytes.subarray(0, 8).toString('latin1'), 'MSUMAPF\n');
    assert.equal(bytes.readUInt32LE(8), 1);
    const length = bytes.readUInt32LE(12);
    assert.equal(length % 4, 0);
    const h = JSON.parse(bytes.subarray(16, 16 + length).toString('utf8'));
    assert.deepEqual(h.ids, IDS);
    assert.deepEqual(h.unreadable, ['b']);
    assert.deepEqual(
      h.maps.map((m: Record<string, unknown>) => [m.name, m.features, m.model ?? null, m.layer ?? null, m.width, m.rows, m.failed, m.offset]),
      [
        ['images', 'images', null, null, 3, 3, [], 0],
        ['net:enc4', 'layer', 'net', 'enc4', 2, 2, ['d'], 36],
      ],
    );
    assert.equal(h.maps[1].failure_message, 'd: the model failed');
    assert.equal(h.maps[1].model_sha256, 'f'.repeat(64));
    const start = 16 + length;
    assert.equal(bytes.length, start + 4 * (9 + 4));
    const floats = (from: number, n: number) => Array.from({ length: n }, (_, i) => bytes.readFloatLE(start + from + 4 * i));
    assert.deepEqual(floats(0, 9), [...IMAGE_ROWS.a, ...IMAGE_ROWS.c, ...IMAGE_ROWS.d]);
    assert.deepEqual(floats(36, 4), [...LAYER_ROWS.a, ...LAYER_ROWS.c]);
  });

  test('read back: the header and every map\'s rows as written', async () => {
    const out = join(dir, 'roundtrip');
    const written = await writeUmapFeatures(out, header(), sources());
    const read = await readUmapFeatureHeader(out);
    assert.deepEqual(read, written);
    const rows = await readUmapFeatureRows(out, read);
    assert.deepEqual(Array.from(rows[0]), [...IMAGE_ROWS.a, ...IMAGE_ROWS.c, ...IMAGE_ROWS.d]);
    assert.deepEqual(Array.from(rows[1]), [...LAYER_ROWS.a, ...LAYER_ROWS.c]);
    assert.equal(rows[0].byteOffset % 4, 0);
  });

  test('rows that do not match the ids less the unreadable and failed images are a bug, not a record', async () => {
    const s = sources();
    s[1].matrix.set(IDS.indexOf('d'), Float32Array.from([1, 1]));
    await assert.rejects(writeUmapFeatures(join(dir, 'bad'), header(), s), /map net:enc4: 3 rows written for 2 images/);
  });

  test('another format, another version, a cut-short file or none at all: merge/not-a-shard with the command that remakes it', async () => {
    const out = join(dir, 'broken');
    await writeUmapFeatures(out, header(), sources());
    const file = umapFeaturesFile(out);
    const good = readFileSync(file);
    const refused = async (bytes: Buffer | undefined, why: RegExp) => {
      if (bytes) writeFileSync(file, bytes);
      else rmSync(file);
      await assert.rejects(
        (async () => readUmapFeatureRows(out, await readUmapFeatureHeader(out)))(),
        (e) => e instanceof InputError && e.code === 'merge/not-a-shard' && why.test(e.message) && e.message.includes(`medseg umap <config> --shard I/N --output ${out}`),
      );
    };
    await refused(Buffer.from('{"version":1}'), /does not start as one/);
    const v2 = Buffer.from(good);
    v2.writeUInt32LE(2, 8);
    await refused(v2, /format version 2, this medseg reads 1/);
    await refused(good.subarray(0, good.length - 4), /rows lie outside the file \(cut short\?\)/);
    await refused(good.subarray(0, 40), /cut short/);
    await refused(undefined, /ENOENT/);
  });
});
