import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isConfigPath, isPreviewableImage, rankConfigsForImage } from '../../../client/src/workspace/configPaths';
import { rawImageMime } from '../../../client/src/preview/rawImage';

describe('rankConfigsForImage', () => {
  test('configs whose folder holds the image come first, deepest first; then by shared path', () => {
    const configs = ['/w/other/o.medseg.yaml', '/w/a.medseg.yaml', '/w/derm/d.medseg.yaml', '/w/derm/sub/s.medseg.yaml', '/w/derm/b.medseg.yaml', '/x/far.medseg.yaml'];
    assert.deepEqual(rankConfigsForImage('/w/derm/images/ISIC_1.jpg', configs), [
      '/w/derm/b.medseg.yaml',
      '/w/derm/d.medseg.yaml',
      '/w/a.medseg.yaml',
      '/w/derm/sub/s.medseg.yaml',
      '/w/other/o.medseg.yaml',
      '/x/far.medseg.yaml',
    ]);
  });
  test('Windows paths compare by segment too', () => {
    assert.deepEqual(rankConfigsForImage('C:\\data\\ct\\case_1\\imaging.nii.gz', ['C:\\data\\x.medseg.yaml', 'C:\\data\\ct\\ct.medseg.yaml']), ['C:\\data\\ct\\ct.medseg.yaml', 'C:\\data\\x.medseg.yaml']);
  });
});

test('file kinds', () => {
  assert.ok(isConfigPath('/a/b.medseg.yaml') && isConfigPath('B.MEDSEG.YML'));
  assert.ok(!isConfigPath('/a/medseg.yaml'));
  for (const f of ['a.png', 'a.JPG', 'a.jpeg', 'a.tif', 'a.tiff', 'a.nii', 'a.nii.gz', 'a.bmp']) assert.ok(isPreviewableImage(f), f);
  assert.ok(!isPreviewableImage('a.gz') && !isPreviewableImage('a.csv'));
  assert.equal(rawImageMime('/x/<img src=x>.PNG'), 'image/png');
  assert.equal(rawImageMime('a.jpeg'), 'image/jpeg');
  assert.equal(rawImageMime('a.nii.gz'), undefined);
});
