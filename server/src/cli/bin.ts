/** Entry of dist/cli.js (what `medseg` runs). */
import { main } from './main';

// `medseg … | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`medseg: internal error: ${(err as Error).stack ?? err}\n`);
    process.exitCode = 70;
  },
);
