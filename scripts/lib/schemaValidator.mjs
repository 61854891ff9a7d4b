// The config validator as ajv standalone code, generated at build time from the schema file and
// the engine's ajv options, so no bundle compiles the schema when it starts (issue 17, item 10).
// scripts/build.mjs puts it in place of server/src/core/config/compiledValidator.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';

export const VALIDATOR_MODULE = /[\\/]server[\\/]src[\\/]core[\\/]config[\\/]compiledValidator\.ts$/;

/** ES module source exporting `validate` (and `PRECOMPILED = true`), as compiledValidator.ts does. */
export function validatorSource(root) {
  const schema = JSON.parse(readFileSync(join(root, 'schemas', 'medseg.schema.json'), 'utf8'));
  const options = JSON.parse(readFileSync(join(root, 'server', 'src', 'core', 'config', 'ajvOptions.json'), 'utf8'));
  const ajv = new Ajv({ ...options, code: { source: true, esm: true } });
  const validate = ajv.compile(schema);
  return `${standaloneCode(ajv, validate)}\nexport const PRECOMPILED = true;\n`;
}

/** The esbuild plugin: the standalone code instead of the module that compiles at run time. */
export function precompiledValidatorPlugin(root) {
  let source;
  return {
    name: 'medseg-precompiled-validator',
    setup(build) {
      build.onLoad({ filter: VALIDATOR_MODULE }, (args) => {
        source ??= validatorSource(root);
        return { contents: source, loader: 'js', resolveDir: join(root, 'server', 'src', 'core', 'config'), watchFiles: [join(root, 'schemas', 'medseg.schema.json')] };
      });
    },
  };
}
