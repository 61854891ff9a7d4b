#!/usr/bin/env node
'use strict';
// The `medseg` command: a thin launcher for the bundled CLI (build with `npm run build`).
const { join } = require('node:path');
const { existsSync } = require('node:fs');
const cli = join(__dirname, '..', 'dist', 'cli.js');
if (!existsSync(cli)) {
  console.error(`medseg: ${cli} is missing: run \`npm run build\` (or \`npm ci\`, which builds) in ${join(__dirname, '..')}.`);
  process.exit(2);
}
require(cli);
