/**
 * The Slurm resources a `medseg slurm` job asks for, checked before anything is written: each
 * value becomes an `#SBATCH` line, so one that Slurm would refuse (or a newline that would start
 * a line of its own) is refused here, naming the option and the form Slurm takes.
 */

export interface SlurmResources {
  partition?: string;
  /** Wall-time limit per shard, in one of Slurm's forms (`90`, `4:00:00`, `1-12`). */
  time?: string;
  /** CPUs per shard (`--cpus-per-task`). */
  cpus?: number;
  /** Memory per shard (`--mem`): a number of MB or with K/M/G/T. */
  mem?: string;
  /** Generic resources per shard, e.g. `gpu:1`, `gpu:a100:2`. */
  gres?: string;
  account?: string;
  qos?: string;
  constraint?: string;
  /** Shards running at once (the array's `%K` throttle). */
  maxParallel?: number;
  /** Further `sbatch` options for both jobs, each one option (`--mail-type=END`). */
  sbatchArgs?: string[];
  /** Shell lines run before medseg on the nodes (`module load nodejs/20`). */
  setup?: string[];
  /** Merge job: wall time, memory and CPUs when they differ from a shard's. */
  mergeTime?: string;
  mergeMem?: string;
  mergeCpus?: number;
}

const NAME = /^[A-Za-z0-9_.+-]+$/;
const rules: Record<string, { test: (v: string) => boolean; form: string }> = {
  partition: { test: (v) => /^[A-Za-z0-9_.+-]+(,[A-Za-z0-9_.+-]+)*$/.test(v), form: 'a partition name, or several separated by commas' },
  account: { test: (v) => NAME.test(v), form: 'an account name (letters, digits, `_ . + -`)' },
  qos: { test: (v) => NAME.test(v), form: 'a QOS name (letters, digits, `_ . + -`)' },
  constraint: { test: (v) => /^[A-Za-z0-9_.,&|:*[\]()!-]+$/.test(v), form: 'node features such as `intel&gpu` or `[rack1|rack2]`' },
  time: {
    test: (v) => /^(\d+(:\d{1,2}){0,2}|\d+-\d+(:\d{1,2}){0,2}|unlimited|infinite)$/i.test(v),
    form: 'minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS (e.g. `90`, `4:00:00`, `1-12`)',
  },
  mem: { test: (v) => /^\d+[KMGT]?$/i.test(v), form: 'megabytes, or a number with K, M, G or T (e.g. `16G`)' },
  gres: { test: (v) => /^[A-Za-z0-9_]+(:[A-Za-z0-9_.-]+)*(,[A-Za-z0-9_]+(:[A-Za-z0-9_.-]+)*)*$/.test(v), form: 'NAME[:TYPE][:COUNT], comma-separated (e.g. `gpu:1`, `gpu:a100:2`)' },
};

/** Why a resource value cannot be used, or undefined when it can. `option` is the command-line name (`--time`). */
export function resourceProblem(option: string, key: keyof typeof rules, value: string): string | undefined {
  const rule = rules[key];
  return rule.test(value) ? undefined : `${option} ${JSON.stringify(value)} is not ${rule.form}`;
}

/** Every problem of a resource request (empty when Slurm can take it). */
export function resourceProblems(r: SlurmResources): string[] {
  const problems: string[] = [];
  const check = (option: string, key: keyof typeof rules, value: string | undefined) => {
    if (value === undefined) return;
    const p = resourceProblem(option, key, value);
    if (p) problems.push(p);
  };
  check('--partition', 'partition', r.partition);
  check('--account', 'account', r.account);
  check('--qos', 'qos', r.qos);
  check('--constraint', 'constraint', r.constraint);
  check('--time', 'time', r.time);
  check('--merge-time', 'time', r.mergeTime);
  check('--mem', 'mem', r.mem);
  check('--merge-mem', 'mem', r.mergeMem);
  check('--gres', 'gres', r.gres);
  for (const [option, n] of [['--cpus', r.cpus], ['--merge-cpus', r.mergeCpus], ['--max-parallel', r.maxParallel]] as const) {
    if (n !== undefined && !(Number.isInteger(n) && n >= 1)) problems.push(`${option} must be a whole number ≥ 1 (got ${n})`);
  }
  for (const arg of r.sbatchArgs ?? []) {
    if (!/^--?[A-Za-z]/.test(arg) || /[\r\n\0]/.test(arg)) problems.push(`--sbatch-arg ${JSON.stringify(arg)} is not one sbatch option (it must start with - and be on one line, e.g. --mail-type=END)`);
  }
  for (const line of r.setup ?? []) if (line.includes('\0')) problems.push('--setup holds a NUL character');
  return problems;
}

/** The `#SBATCH` options of a shard (`merge` false) or of the merge job. */
export function sbatchOptions(r: SlurmResources, merge: boolean): string[] {
  const out: string[] = [];
  if (r.partition) out.push(`--partition=${r.partition}`);
  if (r.account) out.push(`--account=${r.account}`);
  if (r.qos) out.push(`--qos=${r.qos}`);
  const time = merge ? (r.mergeTime ?? r.time) : r.time;
  if (time) out.push(`--time=${time}`);
  const cpus = merge ? (r.mergeCpus ?? 1) : r.cpus;
  if (cpus) out.push(`--cpus-per-task=${cpus}`);
  const mem = merge ? (r.mergeMem ?? r.mem) : r.mem;
  if (mem) out.push(`--mem=${mem}`);
  // The merge reads files and adds numbers: it needs no GPU, and a constraint meant for the
  // inference nodes would only delay it.
  if (!merge && r.gres) out.push(`--gres=${r.gres}`);
  if (!merge && r.constraint) out.push(`--constraint=${r.constraint}`);
  for (const arg of r.sbatchArgs ?? []) out.push(arg);
  return out;
}
