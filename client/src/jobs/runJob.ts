/**
 * Long work (evaluation, split generation, the demo) as a cancellable progress notification fed
 * by the work's own progress, mirrored in the status bar.
 */
import * as vscode from 'vscode';
import type { MedsegStatusBar } from '../statusBar';
import { ProgressIncrements } from './progressText';

export type JobReporter = (message: string | undefined, fraction: number | undefined) => void;

export function runJob<T>(statusBar: MedsegStatusBar, title: string, work: (report: JobReporter, token: vscode.CancellationToken) => Promise<T>): Promise<T> {
  return Promise.resolve(
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `MedSeg: ${title}`, cancellable: true }, async (progress, token) => {
      const increments = new ProgressIncrements();
      statusBar.startJob(title);
      const report: JobReporter = (message, fraction) => {
        const increment = increments.next(fraction);
        progress.report({ message, increment: increment || undefined });
        if (increment) statusBar.updateJob(increments.percent);
      };
      try {
        return await work(report, token);
      } finally {
        statusBar.endJob();
      }
    }),
  );
}
