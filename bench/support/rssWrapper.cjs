// Runs the bundled CLI and reports the process's peak resident set size (worker threads included).
process.on('exit', () => process.stderr.write(`\nMAXRSS_KB ${process.resourceUsage().maxRSS}\n`));
require('../../dist/cli.js');
