import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { FolderListing } from '../../../server/src/core/dataset/folderListing';
import { fillTemplate, isGlobPattern, templateVarsOf } from '../../../server/src/core/dataset/pathTemplate';
import { makeTempDir, writeFiles } from './datasetFixtures';

test('FolderListing reads a folder once and answers from its listing', async () => {
  const { dir, cleanup } = makeTempDir();
  try {
    writeFiles(dir, ['m/a.png', 'm/sub/b.png']);
    const listing = new FolderListing();
    assert.equal(await listing.exists(join(dir, 'm/a.png')), true);
    assert.equal(await listing.exists(join(dir, 'm/sub')), false, 'a folder is not a file');
    assert.equal(await listing.exists(join(dir, 'nowhere/a.png')), false);
    // Written after the folder was listed: the cached listing does not see it, which shows the
    // folder was not read again.
    writeFiles(dir, ['m/late.png']);
    assert.equal(await listing.exists(join(dir, 'm/late.png')), false);
    assert.equal(await new FolderListing().exists(join(dir, 'm/late.png')), true);
    const aborted = new FolderListing(AbortSignal.abort(new Error('stop')));
    await assert.rejects(aborted.exists(join(dir, 'm/a.png')), /stop/);
  } finally {
    cleanup();
  }
});

test('templates substitute {stem}, {name}, {dir}, {parent}; globs are patterns without placeholders', () => {
  const vars = templateVarsOf('/data/kits/case_00001/imaging.nii.gz');
  assert.deepEqual(vars, { stem: 'imaging', name: 'imaging.nii.gz', dir: '/data/kits/case_00001', parent: 'case_00001' });
  // KiTS's images are all imaging.nii.gz: predictions kept elsewhere are named by the case folder.
  assert.equal(fillTemplate('preds/nnunet/{parent}.nii.gz', vars, '/exp'), '/exp/preds/nnunet/case_00001.nii.gz');
  assert.equal(isGlobPattern('preds/{parent}.nii.gz'), false);
  assert.equal(fillTemplate('{dir}/segmentation.nii.gz', vars, '/exp'), '/data/kits/case_00001/segmentation.nii.gz');
  assert.equal(fillTemplate('masks/{stem}_$&.png', vars, '/exp'), '/exp/masks/imaging_$&.png');
  assert.equal(fillTemplate('preds/{name}', vars, '/exp'), '/exp/preds/imaging.nii.gz');
  assert.equal(isGlobPattern('masks/*.png'), true);
  assert.equal(isGlobPattern('masks/[ab]/x.png'), true);
  assert.equal(isGlobPattern('masks/{stem}_mask.png'), false);
  assert.equal(isGlobPattern('masks/*/{stem}.png'), false);
});
