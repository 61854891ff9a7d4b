// The one checked join under a results folder (issue 13, item 4): an experiment named `..` with a
// model named `.` once wrote `masks/<model>/<id>.png` over the dataset's reference masks.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { InputError } from '../../../server/src/core/findings';
import { caseFilePath } from '../../../server/src/core/results/fileNames';
import { resultPath, resultsFolderOf } from '../../../server/src/core/results/resultPath';

const ROOT = join('/work', 'exp', 'medseg-results', 'run');

describe('resultPath', () => {
  test('joins names and ids with sub-folders under the root', () => {
    assert.equal(resultPath(ROOT, 'masks', 'unet', 'case_00000/imaging.nii.gz'), join(ROOT, 'masks', 'unet', 'case_00000', 'imaging.nii.gz'));
    // Fusion folders keep their `:` where the file system allows it (methodFolder maps it on Windows).
    if (process.platform !== 'win32') assert.equal(resultPath(ROOT, 'masks', 'fusion:union', 'a.png'), join(ROOT, 'masks', 'fusion:union', 'a.png'));
  });

  for (const [what, segments] of [
    ['a model named `.`', ['masks', '.', 'case_1.png']],
    ['a model named `..`', ['masks', '..', 'case_1.png']],
    ['an id part `..`', ['masks', 'm', 'a/../../b.png']],
    ['an empty name', ['masks', '', 'a.png']],
    ['a backslash', ['masks', '..\\..', 'a.png']],
    ['a NUL', ['masks', 'm\x00', 'a.png']],
  ] as const) {
    test(`refuses ${what} with an InputError naming the path`, () => {
      assert.throws(
        () => resultPath(ROOT, ...segments),
        (err: unknown) => err instanceof InputError && err.code === 'results/path-outside' && err.file === join(ROOT, ...segments) && err.message.includes(ROOT),
      );
    });
  }

  test('the experiment folder: `<output>/<name>`, and `..` as a name is refused', () => {
    assert.equal(resultsFolderOf({ output: '/work/exp/medseg-results', name: 'run' }), join('/work/exp/medseg-results', 'run'));
    assert.equal(resultsFolderOf({ output: '/work/exp/medseg-results', name: '..' }, '/elsewhere'), '/elsewhere', '--output is the user’s own path');
    assert.throws(() => resultsFolderOf({ output: '/work/exp/medseg-results', name: '..' }), { code: 'results/path-outside' });
  });

  test('case files of hostile ids stay inside the folder (ids are escaped before the join)', () => {
    assert.equal(caseFilePath(ROOT, 'masks', 'm', '../../images/x', '.png'), join(ROOT, 'masks', 'm', '%2E%2E', '%2E%2E', 'images', 'x.png'));
    assert.throws(() => caseFilePath(ROOT, 'masks', '.', 'x', '.png'), { code: 'results/path-outside' });
  });
});
