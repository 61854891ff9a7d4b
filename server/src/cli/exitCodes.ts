/**
 * `medseg`'s exit status: one meaning per number, the same for every command, so a batch script
 * can tell "all evaluated" from "finished with errors" from "nothing evaluated" without parsing
 * text. 3 and 4 are distinct from 1 (the config has errors: nothing ran) on purpose.
 */
import type { RunOutcome } from '../core/findings';

export const EXIT = {
  /** Everything asked for was done (warnings may have been printed). */
  ok: 0,
  /** The config or its input has errors (`validate`: error findings); nothing ran. */
  inputErrors: 1,
  /** The command line is wrong. */
  usage: 2,
  /** Results were written, but some images or models failed or were skipped (summary.json: `failures`, `skipped_models`). */
  finishedWithErrors: 3,
  /** The run went through but produced nothing: no case in the split, every model skipped, every image failed. */
  nothingEvaluated: 4,
  /** A bug in medseg (please report it). */
  internal: 70,
  /** A destination could not be written (read-only, full, a file in the way); the message names it and the fix. */
  cannotWrite: 74,
  /** Ctrl-C; what was finished is kept. */
  interrupted: 130,
} as const;

export function exitForOutcome(outcome: RunOutcome): number {
  return outcome === 'complete' ? EXIT.ok : outcome === 'with-errors' ? EXIT.finishedWithErrors : EXIT.nothingEvaluated;
}

/** The exit-status paragraph of the help of commands that produce results. */
export const RUN_EXIT_STATUS = `Exit status: 0 all done; 3 finished with errors (some images or models failed or were
skipped; listed in summary.json and report.html); 4 nothing evaluated; 1 the config has errors
(nothing ran); 2 usage; 74 an output could not be written (read-only, full, or a file in the
way: the message names the path and the fix); 70 internal error; 130 interrupted.`;
