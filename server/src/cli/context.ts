/** What every command gets: its arguments and the ways to speak. Commands never call process.exit. */
export interface CommandContext {
  positionals: string[];
  flags: Record<string, string | boolean | undefined>;
  signal: AbortSignal;
  out(line: string): void;
  err(line: string): void;
  /** Progress for long work: a bar on a TTY, nothing otherwise. */
  progress(message: string, fraction?: number): void;
  /** Prints a usage text to stderr and returns the usage exit status (2). */
  usage(help: string): number;
}
