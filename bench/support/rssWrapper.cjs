// Runs the bundled CLI and reports the process's peak resident set size and CPU time (worker
// threads included) on stderr: `MAXRSS_KB <kB>` and `CPU_SECONDS <user + system>`.
process.on('exit', () => {
  const usage = process.resourceUsage();
  process.stderr.write(`\nMAXRSS_KB ${usage.maxRSS}\nCPU_SECONDS ${(usage.userCPUTime + usage.systemCPUTime) / 1e6}\n`);
});
require('../../dist/cli.js');
