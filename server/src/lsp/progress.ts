/**
 * Work-done progress for long jobs: on the token the client sent with a request, else on one the
 * server creates (`window/workDoneProgress/create`) when the client supports that, else none.
 */
import type { CancellationToken, Connection, ProgressToken, WorkDoneProgressReporter } from 'vscode-languageserver/node';

export interface ProgressHandle {
  report(message: string, fraction?: number): void;
  done(): void;
  /** Cancellation from the progress UI (server-created progress only). */
  token?: CancellationToken;
}

const NONE: ProgressHandle = { report: () => undefined, done: () => undefined };

export class ProgressFactory {
  /** Set from the client's capabilities (`window.workDoneProgress`). */
  serverInitiated = false;

  constructor(private readonly connection: Connection) {}

  async begin(title: string, options: { token?: ProgressToken; cancellable?: boolean; message?: string } = {}): Promise<ProgressHandle> {
    let reporter: WorkDoneProgressReporter & { token?: CancellationToken };
    if (options.token !== undefined) reporter = this.connection.window.attachWorkDoneProgress(options.token);
    else if (this.serverInitiated) {
      try {
        reporter = await this.connection.window.createWorkDoneProgress();
      } catch {
        return NONE;
      }
    } else return NONE;
    reporter.begin(title, 0, options.message, options.cancellable ?? false);
    let last = -1;
    let lastAt = 0;
    return {
      report: (message, fraction) => {
        // Progress for 60,000 images would flood the client: at most every 100 ms or per percent.
        const pct = fraction === undefined ? undefined : Math.max(0, Math.min(100, Math.round(fraction * 100)));
        const now = Date.now();
        if (pct === last && now - lastAt < 100) return;
        if (pct !== undefined && pct !== last) last = pct;
        else if (now - lastAt < 100) return;
        lastAt = now;
        if (pct !== undefined) reporter.report(pct, message);
        else reporter.report(message);
      },
      done: () => reporter.done(),
      token: reporter.token,
    };
  }
}
