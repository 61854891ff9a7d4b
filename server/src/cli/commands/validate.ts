import { validateExperiment } from '../../core/validate';
import { countBySeverity, formatFinding, plural } from '../format';
import type { CommandContext } from '../context';

export const validateHelp = `medseg validate <config.medseg.yaml> [--json]

Checks a config, its dataset (images, masks, clinical CSV, split file), its models and its splits,
and prints every finding as  path:line:col: severity: message [code].
Exit status: 0 without errors, 1 with errors, 2 for a usage problem.

  --json   print {config, findings, counts} as JSON instead`;

export async function runValidate(ctx: CommandContext): Promise<number> {
  const file = ctx.positionals[0];
  if (!file || ctx.positionals.length > 1) return ctx.usage(validateHelp);
  const result = await validateExperiment(file, { signal: ctx.signal, onProgress: ctx.progress });
  const counts = countBySeverity(result.findings);
  if (ctx.flags.json) {
    ctx.out(
      JSON.stringify(
        {
          config: result.parsed.document.file,
          cases: result.dataset?.cases.length,
          findings: result.findings,
          counts,
        },
        null,
        2,
      ),
    );
  } else {
    for (const f of result.findings) ctx.out(formatFinding(f));
    const cases = result.dataset ? `${plural(result.dataset.cases.length, 'case')}; ` : '';
    ctx.err(`${cases}${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')}, ${plural(counts.info, 'note')}`);
  }
  return counts.error > 0 ? 1 : 0;
}
