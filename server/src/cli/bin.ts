/** Entry of dist/cli.js (what `medseg` runs). */
import { main } from './main';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`medseg: internal error: ${(err as Error).stack ?? err}\n`);
    process.exitCode = 70;
  },
);
