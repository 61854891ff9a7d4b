// Runs the bundled CLI and reports the process's peak resident set size and CPU time (worker
// threads included) on stderr: `MAXRSS_KB <kB>` and `CPU_SECONDS <user + system>`; on Linux also
// `MAIN_THREAD_CPU_SECONDS`, the CPU time of the main thread alone (from /proc), which shows how
// much of the work the case workers took off it.
const { readFileSync } = require('node:fs');

function mainThreadCpuSeconds() {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

process.on('exit', () => {
  const usage = process.resourceUsage();
  const main = mainThreadCpuSeconds();
  process.stderr.write(`\nMAXRSS_KB ${usage.maxRSS}\nCPU_SECONDS ${(usage.userCPUTime + usage.systemCPUTime) / 1e6}\n${main === undefined ? '' : `MAIN_THREAD_CPU_SECONDS ${main}\n`}`);
});
require('../../dist/cli.js');
