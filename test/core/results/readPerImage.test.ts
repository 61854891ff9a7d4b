import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../../server/src/core/findings';
import { PER_IMAGE_COLUMNS } from '../../../server/src/core/results/perImage';
import { readPerImageTable } from '../../../server/src/core/results/readPerImage';
import { makeTempDir } from '../io/helpers';

const header = PER_IMAGE_COLUMNS.join(',');
const row = (id: string) => `${id},test,m1,0.5,0.25,1,1,1,,,4,4,1,1,1,1,`;

test('a per_image.csv saved again in Latin-1 is refused at its line instead of read with U+FFFD ids', async () => {
  const { dir, cleanup } = makeTempDir();
  try {
    const file = join(dir, 'per_image.csv');
    writeFileSync(file, Buffer.concat([Buffer.from(`${header}\n${row('a')}\n`), Buffer.from(`${row('M\xfcller')}\n`, 'latin1')]));
    await assert.rejects(readPerImageTable(file), (e) => e instanceof InputError && e.code === 'results/unreadable' && /per_image\.csv is not UTF-8 \(line 3\)/.test(e.message));
  } finally {
    cleanup();
  }
});

test('UTF-8 ids whose bytes straddle the stream\'s 64 KiB chunks are read exactly', async () => {
  const { dir, cleanup } = makeTempDir();
  try {
    const file = join(dir, 'per_image.csv');
    const lines = [header];
    let size = header.length + 1;
    for (let i = 0; size < 65_000; i++) {
      lines.push(row(`case_${String(i).padStart(5, '0')}`));
      size += lines[lines.length - 1].length + 1;
    }
    // Pad one id so that its `ü` (0xC3 0xBC) starts on the last byte of the first 65,536-byte chunk.
    const pad = 65_535 - size;
    lines.push(row(`${'x'.repeat(pad)}ü`));
    const bytes = Buffer.from(lines.join('\n') + '\n');
    assert.deepEqual([bytes[65_535], bytes[65_536]], [0xc3, 0xbc]);
    writeFileSync(file, bytes);
    const table = await readPerImageTable(file);
    assert.equal(table.images, lines.length - 1);
    assert.ok(table.findImage(`${'x'.repeat(pad)}ü`) !== undefined);
  } finally {
    cleanup();
  }
});
