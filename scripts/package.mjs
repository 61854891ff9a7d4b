// `npm run package [-- --target <target>] [--out file.vsix]`: the per-platform VSIX (see lib/vsix.mjs).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { packageVsix, TARGETS } from './lib/vsix.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { target: { type: 'string', default: 'linux-x64' }, out: { type: 'string' } } });
try {
  await packageVsix({ root, target: values.target, out: values.out });
} catch (err) {
  console.error(`package: ${err.message}\ntargets: ${TARGETS.join(', ')}`);
  process.exit(1);
}
