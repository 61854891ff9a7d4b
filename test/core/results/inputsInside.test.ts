// A results folder never holds dataset inputs (issue 13, item 4): results replace files, so a results
// folder equal to or above the masks folder replaced reference masks by predictions.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { InputError } from '../../../server/src/core/findings';
import { checkHoldsNoInputs } from '../../../server/src/core/results/inputsInside';

describe('checkHoldsNoInputs', () => {
  let dir: string;
  let inputs: string[];
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'medseg-inside-'));
    inputs = ['images/a.png', 'masks/a.png', 'labels.csv'].map((p) => join(dir, 'data', p));
    for (const f of inputs) {
      mkdirSync(join(f, '..'), { recursive: true });
      writeFileSync(f, 'x');
    }
    symlinkSync(join(dir, 'data', 'masks'), join(dir, 'link-to-masks'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const refused = (out: string, input: string) => (err: unknown) =>
    err instanceof InputError && err.code === 'results/holds-inputs' && err.file === out && err.message.includes(out) && err.message.includes(input);

  test('the masks folder itself is refused, naming both', () => {
    const out = join(dir, 'data', 'masks');
    assert.throws(() => checkHoldsNoInputs(out, inputs), refused(out, join(dir, 'data', 'masks', 'a.png')));
  });

  test('a folder above the inputs is refused (results would go to <out>/masks/<model>/…)', () => {
    assert.throws(() => checkHoldsNoInputs(join(dir, 'data'), inputs), refused(join(dir, 'data'), join(dir, 'data', 'images', 'a.png')));
    assert.throws(() => checkHoldsNoInputs(join(dir, 'data', 'results', '..'), inputs), { code: 'results/holds-inputs' });
  });

  test('a symlink to the masks folder is seen through', () => {
    assert.throws(() => checkHoldsNoInputs(join(dir, 'link-to-masks'), inputs), { code: 'results/holds-inputs' });
  });

  test('beside or below the inputs is fine', () => {
    checkHoldsNoInputs(join(dir, 'medseg-results', 'run'), inputs);
    checkHoldsNoInputs(join(dir, 'data', 'images', 'results'), inputs);
    checkHoldsNoInputs(join(dir, 'data', 'mask'), inputs);
  });
});
