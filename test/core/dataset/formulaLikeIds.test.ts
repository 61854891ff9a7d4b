import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveDataset } from '../../../server/src/core/dataset';
import { isFormulaLike } from '../../../server/src/core/dataset/formulaLikeIds';
import { makeConfig, makeTempDir, writeFiles } from './datasetFixtures';

test('ids a spreadsheet would run as formulas: the first character decides', () => {
  for (const id of ['=1+1', '=HYPERLINK("http:x","y")', '+1', '-1', '@a', '\tx', '\rx']) assert.equal(isFormulaLike(id), true, JSON.stringify(id));
  for (const id of ['a=1', '1-2', 'case_001', ' =1', 'ISIC_0000000']) assert.equal(isFormulaLike(id), false, JSON.stringify(id));
});

test('a dataset with formula-like ids gets one info finding naming them; ids stay as they are', async () => {
  const { dir, cleanup } = makeTempDir();
  try {
    const names = ['=HYPERLINK("http:x","y")', '+1', '-1', '@a', 'case'];
    writeFiles(dir, names.flatMap((n) => [`img/${n}.png`, `msk/${n}.png`]));
    const ds = await resolveDataset(makeConfig(dir, { images: 'img/*.png', masks: 'msk/{name}' }));
    assert.deepEqual(ds.cases.map((c) => c.id).sort(), [...names].sort());
    assert.deepEqual(ds.findings.map((f) => [f.code, f.severity, f.configPath]), [['dataset/formula-like-id', 'info', ['dataset', 'images']]]);
    assert.match(ds.findings[0].message, /^4 image ids start with `=`, `\+`, `-` or `@` \(/);
    for (const id of names.slice(0, 4)) assert.ok(ds.findings[0].message.includes(`\`${id}\``), id);
    assert.ok(!ds.findings[0].message.includes('`case`'));
  } finally {
    cleanup();
  }
});
