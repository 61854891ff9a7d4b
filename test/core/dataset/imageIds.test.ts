import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { assignImageIds, globBase, relativeId } from '../../../server/src/core/dataset/imageIds';

test('globBase is the folder before the first magic segment, resolved against the config folder', () => {
  assert.equal(globBase('data/images/*.png', '/exp'), '/exp/data/images');
  assert.equal(globBase('kits19/data/case_*/imaging.nii.gz', '/exp'), '/exp/kits19/data');
  assert.equal(globBase('data/{a,b}/*.png', '/exp'), '/exp/data');
  assert.equal(globBase('*.png', '/exp'), '/exp');
  assert.equal(globBase('/abs/x/**/*.nii.gz', '/exp'), '/abs/x');
  assert.equal(globBase('one/file.png', '/exp'), '/exp/one');
});

test('ids are stems when unique, else relative paths without image extension', () => {
  assert.deepEqual(assignImageIds(['/d/img/colin.nii.gz', '/d/img/ISIC_0000000.jpg', '/d/img/scan.v2.tif'], '/d/img'), ['colin', 'ISIC_0000000', 'scan.v2']);
  assert.deepEqual(
    assignImageIds([join('/k/data/case_00000/imaging.nii.gz'), join('/k/data/case_00012/imaging.nii.gz')], '/k/data'),
    ['case_00000/imaging', 'case_00012/imaging'],
  );
  // One repeated stem switches every id to the relative form, so ids have one shape per dataset.
  assert.deepEqual(assignImageIds(['/d/a/x.png', '/d/b/x.png', '/d/b/y.png'], '/d'), ['a/x', 'b/x', 'b/y']);
  assert.equal(relativeId('/d/a/b/c.nii', '/d'), 'a/b/c');
});
