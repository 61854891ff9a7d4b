import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
// @ts-expect-error: a plain ES module of the build scripts, without types
import { ICON_SIZE, writeIcon } from '../../scripts/lib/vsix.mjs';

const root = join(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { license: string; icon: string };

test('the package is MIT-licensed and the LICENSE file says so', () => {
  assert.equal(manifest.license, 'MIT');
  const text = readFileSync(join(root, 'LICENSE'), 'utf8');
  assert.match(text, /^MIT License\n\nCopyright \(c\) \d{4} MedSeg Eval contributors\n/);
  assert.match(text, /THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND/);
});

test('the VSIX icon is drawn from media/icon.svg as a square PNG', async () => {
  assert.equal(manifest.icon, 'media/icon.png');
  const stage = mkdtempSync(join(tmpdir(), 'medseg-icon-'));
  try {
    const file = (await writeIcon(root, stage, manifest)) as string;
    const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([info.width, info.height, info.format], [ICON_SIZE, ICON_SIZE, 'raw']);
    const at = (x: number, y: number) => [...data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + info.channels)];
    // The SVG's rounded square is #1f2937 and covers (2,2)–(30,30) of 32 units; the corner is outside it.
    assert.deepEqual(at(Math.round((4 * ICON_SIZE) / 32), Math.round((28 * ICON_SIZE) / 32)).slice(0, 3), [0x1f, 0x29, 0x37]);
    assert.equal(at(0, 0)[3], 0, 'transparent outside the rounded square');
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
});
