import { parseConfig, type MedsegConfig } from '../../../core/config';
import { JobError } from '../protocol';

/**
 * The config a job runs on, parsed from the editor's text; a `config-invalid` JobError naming the
 * number of errors, the first one and what to do (`then`: "evaluate again", "browse its images", …)
 * when it does not parse into a usable config.
 */
export function parsedConfig(p: { text: string; file: string }, then: string): { config: MedsegConfig; parsed: ReturnType<typeof parseConfig> } {
  const parsed = parseConfig(p.text, p.file);
  if (!parsed.config) {
    const errors = parsed.findings.filter((f) => f.severity === 'error');
    throw new JobError('config-invalid', `The config has ${errors.length} error${errors.length === 1 ? '' : 's'} (first: ${errors[0]?.message ?? 'unknown'}): fix them, then ${then}.`);
  }
  return { config: parsed.config, parsed };
}
