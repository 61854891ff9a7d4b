/**
 * One status-bar item: the execution provider (the setting, and what the last run really used)
 * and, while a job runs, its title and progress. Click: Select Execution Provider.
 */
import * as vscode from 'vscode';
import { readSettings } from './settings';
import { providerLabel } from './jobs/progressText';

export class MedsegStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('medseg.status', vscode.StatusBarAlignment.Left, 10);
  private lastProvider: string | undefined;
  private job: { title: string; percent?: number } | undefined;
  private readonly subscription: vscode.Disposable;

  constructor() {
    this.item.name = 'MedSeg Eval';
    this.item.command = 'medseg.selectProvider';
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('medseg.runtime.provider')) this.render();
    });
    this.render();
    this.item.show();
  }

  /** The provider a finished run reports (`cpu`, `cuda` …). */
  setLastProvider(provider: string | undefined): void {
    this.lastProvider = provider;
    this.render();
  }

  startJob(title: string): void {
    this.job = { title };
    this.render();
  }

  updateJob(percent: number | undefined): void {
    if (!this.job) return;
    this.job.percent = percent;
    this.render();
  }

  endJob(): void {
    this.job = undefined;
    this.render();
  }

  get text(): string {
    return this.item.text;
  }

  private render(): void {
    const setting = readSettings().provider;
    const shown = providerLabel(setting, this.lastProvider);
    if (this.job) {
      this.item.text = `$(sync~spin) MedSeg ${shown}: ${this.job.title}${this.job.percent === undefined ? '' : ` ${Math.round(this.job.percent)}%`}`;
    } else {
      this.item.text = `$(chip) MedSeg ${shown}`;
    }
    this.item.tooltip = new vscode.MarkdownString(
      `**MedSeg execution provider**\n\nsetting: \`${setting}\`${this.lastProvider ? `\n\nlast run used: \`${this.lastProvider}\`` : ''}${this.job ? `\n\nrunning: ${this.job.title}` : ''}\n\nClick to change.`,
    );
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
