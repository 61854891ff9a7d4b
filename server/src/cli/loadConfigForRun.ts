import { loadConfig, type MedsegConfig, type ParsedConfig } from '../core/config';
import type { CommandContext } from './context';
import { formatFinding } from './format';

/** Loads a config for a command that runs it; prints its findings and returns undefined when it has errors. */
export async function loadConfigForRun(ctx: CommandContext, file: string): Promise<(ParsedConfig & { config: MedsegConfig }) | undefined> {
  const parsed = await loadConfig(file);
  if (parsed.config) return parsed as ParsedConfig & { config: MedsegConfig };
  for (const f of parsed.findings) ctx.out(formatFinding(f));
  ctx.err('The config has errors: fix them (see `medseg validate`) and run again.');
  return undefined;
}
