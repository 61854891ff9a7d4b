// Names that become results folders (issue 13, item 4): `name: ".."` and a model named `.` were
// accepted by the schema and wrote results outside the output folder.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseConfig } from '../../../server/src/core/config';
import { SAFE_NAME_PATTERN, segmentProblem } from '../../../server/src/core/util/pathSegment';

const DIR = '/work/exp';
const DATASET = 'dataset: { images: images/*.png, masks: "masks/{stem}.png" }';
const codes = (text: string, file = join(DIR, 'exp.medseg.yaml')) => parseConfig(text, file).findings.map((f) => [f.code, f.severity, f.configPath?.join('.')]);

describe('experiment and model names are folder names', () => {
  for (const bad of ['..', '.', 'a.', 'CON', 'nul', 'com1.x', 'lpt9']) {
    test(`name: "${bad}" is an error (config/unsafe-name), and so is a model named "${bad}"`, () => {
      assert.deepEqual(codes(`name: "${bad}"\n${DATASET}\nmodels: [{ name: m, predictions: "p/{stem}.png" }]`), [['config/unsafe-name', 'error', 'name']]);
      assert.deepEqual(codes(`${DATASET}\nmodels: [{ name: "${bad}", predictions: "p/{stem}.png" }]`), [['config/unsafe-name', 'error', 'models.0.name']]);
    });
  }

  test('ordinary names pass, dots inside included', () => {
    assert.deepEqual(codes(`name: isic.v2_run-1\n${DATASET}\nmodels: [{ name: .unet.v2, predictions: "p/{stem}.png" }, { name: console, predictions: "q/{stem}.png" }]`), []);
  });

  test('the message names the value and the rule', () => {
    const f = parseConfig(`name: ".."\n${DATASET}\nmodels: [{ predictions: "p/{stem}.png" }]`, join(DIR, 'exp.medseg.yaml')).findings[0];
    assert.match(f.message, /`name` is not usable as a folder name \(got ".."\): use letters, digits/);
  });

  test('a default taken from a file name is checked too: `..medseg.yaml` would name the experiment `.`', () => {
    const r = parseConfig(`${DATASET}\nmodels: [{ predictions: "p/{stem}.png" }]`, join(DIR, '..medseg.yaml'));
    assert.equal(r.config, undefined);
    assert.deepEqual(r.findings.map((f) => [f.code, f.configPath?.join('.')]), [['config/unsafe-name', 'name']]);
    assert.match(r.findings[0].message, /The experiment name `\.` \(taken from the config's file name \.\.medseg\.yaml\) is `\.`, which names the folder itself, so it cannot be a results folder: set `name`/);
    const m = parseConfig(`${DATASET}\nmodels: [{ path: models/AUX.onnx }]`, join(DIR, 'exp.medseg.yaml'));
    assert.deepEqual(m.findings.map((f) => [f.code, f.configPath?.join('.')]), [['config/unsafe-name', 'models.0.path']]);
    assert.match(m.findings[0].message, /The name of model 1 `AUX` \(taken from its file name AUX\.onnx\) is the Windows device name `AUX`/);
  });

  test('the schema holds the same pattern for both names, and every name it accepts is a safe folder name', () => {
    const schema = JSON.parse(readFileSync(join(__dirname, '../../../schemas/medseg.schema.json'), 'utf8'));
    assert.equal(schema.properties.name.pattern, SAFE_NAME_PATTERN);
    assert.equal(schema.definitions.model.properties.name.pattern, SAFE_NAME_PATTERN);
    const re = new RegExp(SAFE_NAME_PATTERN, 'u');
    for (const name of ['a', 'a.b', '.a', '-', '_', 'a..b', 'cons', 'com10', 'lpt', '..', '.', 'a.', 'Con', 'AUX.x', 'COM0', 'a b', 'a/b', 'a\\b']) {
      if (re.test(name)) assert.equal(segmentProblem(name), undefined, name);
    }
    assert.deepEqual(['..', '.', 'a.', 'Con', 'AUX.x', 'COM0', 'a b'].filter((n) => re.test(n)), []);
  });
});
