import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { runMedseg } from './runCli';

let dir: string;

const medseg = (...args: string[]) => runMedseg(dir, ...args);

async function png(path: string, value: number): Promise<void> {
  const data = Buffer.alloc(8 * 8, 0);
  for (let i = 18; i < 30; i++) data[i] = value;
  await sharp(data, { raw: { width: 8, height: 8, channels: 1 } }).toColourspace('b-w').png().toFile(path);
}

const CONFIG = `# line 1
dataset:
  images: images/*.png
  masks: masks/{stem}_mask.png
  labels: clinical.csv
  group_column: patient_id
  label_columns: [diagnosis]
splits:
  file: splits.csv
models:
  - name: ref-copy
    predictions: masks/{stem}_mask.png
`;

describe('medseg validate', () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'medseg-cli-'));
    mkdirSync(join(dir, 'images'));
    mkdirSync(join(dir, 'masks'));
    for (const id of ['a', 'b', 'c']) {
      await png(join(dir, 'images', `${id}.png`), 200);
      await png(join(dir, 'masks', `${id}_mask.png`), 255);
    }
    writeFileSync(join(dir, 'images', 'corrupt.png'), Buffer.from('\x89PNG\r\n\x1a\n this is not a png at all'));
    await png(join(dir, 'masks', 'corrupt_mask.png'), 255);
    writeFileSync(join(dir, 'clinical.csv'), 'image_id,patient_id,diagnosis\na,p1,nevus\nb,p2,nevus\nb,p2,melanoma\nc,p3,nevus\ncorrupt,p4,nevus\n');
    writeFileSync(join(dir, 'splits.csv'), 'image_id,split\na,train\nb,train\nc,test\ncorrupt,test\n');
    writeFileSync(join(dir, 'ok.medseg.yaml'), CONFIG);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a CSV with a duplicated id and a corrupt PNG: one clear finding each, compiler-style, exit 1', () => {
    const r = medseg('validate', 'ok.medseg.yaml');
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stdout.trim().split('\n').filter((l) => !l.startsWith('    '));
    assert.ok(!/\n\s+at /.test(r.stdout + r.stderr), 'no stack trace');
    const dup = lines.filter((l) => l.includes('[dataset/csv-duplicate-id]'));
    assert.equal(dup.length, 1);
    assert.match(dup[0], /^clinical\.csv:4:1: error: .*\bb\b/);
    const corrupt = lines.filter((l) => l.includes('corrupt.png'));
    assert.equal(corrupt.length, 1, r.stdout);
    assert.match(corrupt[0], /^images\/corrupt\.png:1:1: error: corrupt: .*corrupt\.png.* \[image\/unreadable\]$/);
    assert.match(r.stderr, /5 cases|4 cases/);
  });

  test('--json gives the same findings as data', () => {
    const r = medseg('validate', 'ok.medseg.yaml', '--json');
    assert.equal(r.code, 1);
    const parsed = JSON.parse(r.stdout) as { findings: { code: string }[]; counts: { error: number } };
    assert.ok(parsed.findings.some((f) => f.code === 'dataset/csv-duplicate-id'));
    assert.ok(parsed.findings.some((f) => f.code === 'image/unreadable'));
    assert.equal(parsed.counts.error, parsed.findings.filter((f) => (f as unknown as { severity: string }).severity === 'error').length);
  });

  test('malformed YAML: one finding at its line, no stack trace', () => {
    writeFileSync(join(dir, 'broken.medseg.yaml'), 'dataset:\n  images: [images/*.png\nmodels: []\n');
    const r = medseg('validate', 'broken.medseg.yaml');
    assert.equal(r.code, 1);
    const lines = r.stdout.trim().split('\n');
    assert.ok(lines.length >= 1 && lines.every((l) => /^broken\.medseg\.yaml:\d+:\d+: error: YAML: .* \[config\/yaml-syntax\]$/.test(l)), r.stdout);
    assert.ok(!/\n\s+at /.test(r.stdout + r.stderr));
  });

  test('a missing folder: one finding on the images line', () => {
    writeFileSync(join(dir, 'missing.medseg.yaml'), 'dataset:\n  images: nowhere/*.png\n  masks: nowhere/{stem}_mask.png\nmodels:\n  - predictions: p/{stem}.png\n');
    const r = medseg('validate', 'missing.medseg.yaml');
    assert.equal(r.code, 1);
    const lines = r.stdout.trim().split('\n').filter((l) => !l.startsWith('    '));
    assert.equal(lines.length, 1, r.stdout);
    assert.match(lines[0], /^missing\.medseg\.yaml:2:11: error: .*nowhere.*/);
  });

  test('usage problems exit 2 with help; --help exits 0', () => {
    assert.equal(medseg('validate').code, 2);
    assert.equal(medseg('frobnicate').code, 2);
    const help = medseg('validate', '--help');
    assert.equal(help.code, 0);
    assert.match(help.stdout, /medseg validate <config.medseg.yaml>/);
  });
});
