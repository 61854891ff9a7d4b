/**
 * The bundles validate configs with ajv standalone code generated at build time
 * (scripts/lib/schemaValidator.mjs); the sources compile the schema at run time
 * (compiledValidator.ts). Both must say the same: the same errors and the same defaults filled,
 * on valid configs and on every kind of mistake the findings turn into messages.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { transformSync } from 'esbuild';
import { parse } from 'yaml';
import { PRECOMPILED, validate as compiledAtRunTime } from '../../../server/src/core/config/compiledValidator';
// @ts-expect-error: a plain ES module of the build scripts, without types
import { validatorSource } from '../../../scripts/lib/schemaValidator.mjs';

const root = join(__dirname, '..', '..', '..');

/** The build's standalone module, loaded the way the bundle does (as CommonJS, ajv's runtime helpers from node_modules). */
function standaloneValidator(): ValidateFunction {
  const esm = validatorSource(root) as string;
  const { code } = transformSync(esm, { format: 'cjs', loader: 'js' });
  const module = { exports: {} as { validate: ValidateFunction; PRECOMPILED: boolean } };
  const requireFromConfig = createRequire(join(root, 'server', 'src', 'core', 'config', 'compiledValidator.ts'));
  new Function('module', 'exports', 'require', code)(module, module.exports, requireFromConfig);
  assert.equal(module.exports.PRECOMPILED, true);
  return module.exports.validate;
}

const demo = readFileSync(join(root, 'test', 'fixtures', 'evaluate', 'data', 'fixture.medseg.yaml'), 'utf8');
const CONFIGS: Record<string, string> = {
  'five lines': 'dataset:\n  images: data/images/*.png\n  masks: data/masks/{stem}_mask.png\nmodels:\n  - path: models/unet.onnx\n',
  'the evaluation fixture': demo,
  'missing models': 'dataset:\n  images: a/*.png\n  masks: m/{stem}.png\n',
  'misspelt key': 'dataset:\n  images: a/*.png\n  masks: m/{stem}.png\nmodles:\n  - path: m.onnx\n',
  'wrong types and enums': 'dataset:\n  images: 3\n  masks: [a]\nmodels:\n  - path: m.onnx\n    input: { layout: NHCW, size: [a, 2], channels: 5 }\n    output: { activation: relu, threshold: 2 }\n',
  'oneOf normalisation': 'dataset:\n  images: a/*.png\n  masks: m/{stem}.png\nmodels:\n  - path: m.onnx\n    input: { normalize: { mean: [0.5] } }\n',
  'unsafe names': 'name: ../up\ndataset:\n  images: a/*.png\n  masks: m/{stem}.png\nmodels:\n  - name: "a/b"\n    path: m.onnx\n',
  'nested unknown keys': 'dataset:\n  images: a/*.png\n  masks: m/{stem}.png\n  volumse: 3d\nsplits: { generate: { ratios: { train: 0.7, tset: 0.3 } } }\nmodels:\n  - predictions: p/{stem}.png\nevaluation: { metrics: [dice, dise], fusion: [union, best] }\nruntime: { provider: tpu }\n',
};

const brief = (errors: ErrorObject[] | null | undefined) => (errors ?? []).map((e) => ({ keyword: e.keyword, instancePath: e.instancePath, schemaPath: e.schemaPath, params: e.params, message: e.message, data: e.data }));

test('the standalone validator of the build and the one compiled from the sources agree', () => {
  assert.equal(PRECOMPILED, false, 'the sources compile at run time');
  const standalone = standaloneValidator();
  for (const [name, text] of Object.entries(CONFIGS)) {
    const a = parse(text) as unknown;
    const b = parse(text) as unknown;
    const validA = compiledAtRunTime(a);
    const validB = standalone(b);
    assert.equal(validB, validA, `${name}: valid`);
    assert.deepEqual(brief(standalone.errors), brief(compiledAtRunTime.errors), `${name}: the same errors`);
    assert.deepEqual(b, a, `${name}: the same defaults filled in`);
  }
  // The corpus exercises what the findings read: unknown keys, missing keys, types, enums, oneOf, patterns.
  const keywords = new Set<string>();
  for (const text of Object.values(CONFIGS)) {
    compiledAtRunTime(parse(text));
    for (const e of compiledAtRunTime.errors ?? []) keywords.add(e.keyword);
  }
  for (const k of ['additionalProperties', 'required', 'type', 'enum', 'oneOf', 'pattern']) assert.ok(keywords.has(k), `the corpus has a ${k} error`);
});
