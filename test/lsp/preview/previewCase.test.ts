import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { parseConfig } from '../../../server/src/core/config';
import { resolveDataset } from '../../../server/src/core/dataset';
import { writeNifti } from '../../../server/src/core/io';
import { previewCase } from '../../../server/src/lsp/preview/previewCase';

let dir: string;

async function decode(dataUri: string): Promise<{ data: Buffer; channels: number }> {
  const { data, info } = await sharp(Buffer.from(dataUri.replace(/^data:image\/png;base64,/, ''), 'base64')).raw().toBuffer({ resolveWithObject: true });
  return { data, channels: info.channels };
}

/** An RGB photo whose pixel (x, y) is (10x, 10y, 200), a grey image of value 7x + y, and a CT volume in HU. */
describe('the preview draws photographs as stored and windows scalar images only (issue 17, item 6)', () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'medseg-'));
    mkdirSync(join(dir, 'images'));
    mkdirSync(join(dir, 'masks'));
    const rgb = Buffer.alloc(8 * 8 * 3);
    const grey = Buffer.alloc(8 * 8);
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 8; x++) {
        rgb.set([10 * x, 10 * y, 200], (y * 8 + x) * 3);
        grey[y * 8 + x] = 7 * x + y;
      }
    }
    await sharp(rgb, { raw: { width: 8, height: 8, channels: 3 } }).png().toFile(join(dir, 'images', 'photo.png'));
    await sharp(grey, { raw: { width: 8, height: 8, channels: 1 } }).toColourspace('b-w').png().toFile(join(dir, 'images', 'grey.png'));
    for (const id of ['photo', 'grey']) await sharp(Buffer.alloc(64), { raw: { width: 8, height: 8, channels: 1 } }).toColourspace('b-w').png().toFile(join(dir, 'masks', `${id}.png`));
    // HU from -1000 to 1000 in steps of 2000/511 over 8 × 8 × 8 voxels.
    const hu = new Int16Array(512);
    for (let i = 0; i < 512; i++) hu[i] = Math.round(-1000 + (2000 * i) / 511);
    await writeNifti(join(dir, 'images', 'ct.nii.gz'), { width: 8, height: 8, depth: 8, data: hu, spacing: [1, 1, 1] });
    await writeNifti(join(dir, 'masks', 'ct.nii.gz'), { width: 8, height: 8, depth: 8, data: new Uint8Array(512), spacing: [1, 1, 1] });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function preview(image: string, window?: [number, number]) {
    const parsed = parseConfig(`dataset:\n  images: images/*\n  masks: masks/{name}\nmodels:\n  - name: m\n    predictions: masks/{name}\n`, join(dir, 'exp.medseg.yaml'));
    assert.deepEqual(parsed.findings, []);
    const dataset = await resolveDataset(parsed.config!);
    return previewCase(parsed.config!, dataset, { image, ...(window ? { window } : {}) });
  }

  test('an RGB photo: no window, its pixels as stored, a requested window ignored', async () => {
    for (const asked of [undefined, [50, 20] as [number, number]]) {
      const p = await preview('photo', asked);
      assert.equal(p.window, undefined);
      const { data, channels } = await decode(p.layers.find((l) => l.kind === 'image')!.png);
      assert.equal(channels, 3);
      assert.deepEqual([...data.subarray((3 * 8 + 5) * 3, (3 * 8 + 5) * 3 + 3)], [50, 30, 200], 'pixel (5, 3)');
      assert.deepEqual([...data.subarray((7 * 8 + 7) * 3, (7 * 8 + 7) * 3 + 3)], [70, 70, 200], 'pixel (7, 7)');
    }
  });

  test('an 8-bit grey image: the window of its stored range, and a requested window applies', async () => {
    const p = await preview('grey');
    assert.deepEqual(p.window, [127.5, 255]);
    const shown = await decode(p.layers.find((l) => l.kind === 'image')!.png);
    assert.equal(shown.data[(3 * 8 + 5) * shown.channels], 38, 'pixel (5, 3) = 7·5 + 3 as stored');
    // Window centre 20, width 40: values 0…40 spread over 0…255, so 38 → round(38 · 255/40) = 242.
    const narrow = await preview('grey', [20, 40]);
    assert.deepEqual(narrow.window, [20, 40]);
    const windowed = await decode(narrow.layers.find((l) => l.kind === 'image')!.png);
    assert.equal(windowed.data[(3 * 8 + 5) * windowed.channels], 242);
  });

  test('a CT volume: the window from the middle slice\'s 1st and 99th percentiles', async () => {
    const p = await preview('ct');
    assert.equal(p.depth, 8);
    assert.equal(p.slice, 4);
    // Slice 4 holds voxels 256…319: HU round(-1000 + 2000·i/511). By hand: the 1st percentile is
    // voxel floor(0.01·63) = 0 of the slice (i = 256: 2 HU), the 99th ceil(0.99·63) = 63 (i = 319: 249 HU).
    const lo = Math.round(-1000 + (2000 * 256) / 511);
    const hi = Math.round(-1000 + (2000 * 319) / 511);
    assert.deepEqual([lo, hi], [2, 249]);
    assert.deepEqual(p.window, [(lo + hi) / 2, hi - lo]);
  });
});
