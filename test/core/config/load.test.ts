import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../../server/src/core/config';

test('a config saved in Latin-1 is read with a warning on the line of its first non-UTF-8 byte; a UTF-8 one has none', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'medseg-load-'));
  try {
    const text = ['dataset:', '  images: images/*.png', '  masks: masks/{stem}.png', 'models:', '  - name: a', '    family: Gr\xf6\xdfe', '    predictions: preds/{stem}.png'].join('\n');
    writeFileSync(join(dir, 'latin1.medseg.yaml'), Buffer.from(text, 'latin1'));
    writeFileSync(join(dir, 'utf8.medseg.yaml'), Buffer.from(text, 'utf8'));
    const latin1 = await loadConfig(join(dir, 'latin1.medseg.yaml'));
    const notUtf8 = latin1.findings.filter((f) => f.code === 'config/not-utf8');
    assert.equal(notUtf8.length, 1);
    assert.equal(notUtf8[0].severity, 'warning');
    assert.equal(notUtf8[0].location?.range?.start.line, 5);
    assert.match(notUtf8[0].message, /the byte 0xF6 on line 6 is not valid UTF-8/);
    assert.equal(latin1.config?.models[0].family, 'Gr\ufffd\ufffde');
    const utf8 = await loadConfig(join(dir, 'utf8.medseg.yaml'));
    assert.deepEqual(utf8.findings.filter((f) => f.code === 'config/not-utf8'), []);
    assert.equal(utf8.config?.models[0].family, 'Größe');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
