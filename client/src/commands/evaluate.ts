/** Run Evaluation and Validate Dataset: the two requests every config needs. */
import * as vscode from 'vscode';
import { runJob } from '../jobs/runJob';
import type { EvaluateResult, SplitChoice, ValidateResult } from '../../../server/src/protocol';
import { readSettings } from '../settings';
import { pickConfig } from '../workspace/configs';
import { reportFailure, requireTrust } from './feedback';
import type { Services } from './services';
import { evaluationLine, validationLine } from './summaryText';

const SPLITS: SplitChoice[] = ['test', 'val', 'train', 'all'];

export function splitFromArg(arg: unknown): SplitChoice | undefined {
  const split = arg && typeof arg === 'object' && 'split' in arg ? (arg as { split: unknown }).split : undefined;
  return SPLITS.includes(split as SplitChoice) ? (split as SplitChoice) : undefined;
}

/** `{ split }` with undefined = the config's evaluation.split; undefined when dismissed. */
async function pickSplit(): Promise<{ split?: SplitChoice } | undefined> {
  const items: (vscode.QuickPickItem & { split?: SplitChoice })[] = [
    { label: 'Config default', description: 'evaluation.split of the config' },
    ...SPLITS.map((split) => ({ label: split, split, description: split === 'all' ? 'every image' : undefined })),
  ];
  const picked = await vscode.window.showQuickPick(items, { placeHolder: 'Which split to evaluate?' });
  return picked ? { split: picked.split } : undefined;
}

function configName(config: vscode.Uri): string {
  return config.path.split('/').pop() ?? config.toString();
}

export async function runEvaluation(s: Services, arg?: unknown): Promise<EvaluateResult | undefined> {
  if (!requireTrust('Run Evaluation')) return undefined;
  const config = await pickConfig(arg, 'Which config to evaluate?');
  if (!config) return undefined;
  const given = splitFromArg(arg);
  const choice = given ? { split: given } : arg && typeof arg === 'object' && 'uri' in arg ? { split: undefined } : await pickSplit();
  if (!choice) return undefined;
  const provider = readSettings(config).provider;
  try {
    const result = await runJob(s.statusBar, `evaluating ${configName(config)}`, (report, token) => s.server.evaluate({ uri: config.toString(), split: choice.split, provider }, report, token));
    s.statusBar.setLastProvider(result.provider);
    const line = evaluationLine(result, choice.split);
    s.log.info(`${configName(config)}: ${line} Results: ${result.outputDir}`);
    // A run that skipped a model or failed on images is not a success to be dismissed.
    const show = result.outcome === 'complete' ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
    void show(`MedSeg: ${line}`, 'Open Dashboard', 'Open Results Folder').then((action) => {
      if (action === 'Open Dashboard') void s.dashboards.show(config);
      else if (action === 'Open Results Folder') void vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(result.outputDir));
    });
    s.locator.invalidate(config);
    void s.dashboards.refresh(config.toString());
    s.previews.refresh(config.toString());
    return result;
  } catch (err) {
    reportFailure(s.log, `evaluating ${configName(config)}`, err);
    return undefined;
  }
}

export async function runValidation(s: Services, arg?: unknown): Promise<ValidateResult | undefined> {
  const config = await pickConfig(arg, 'Which config to validate?');
  if (!config) return undefined;
  try {
    const result = await runJob(s.statusBar, `validating ${configName(config)}`, (_report, token) => s.server.validate({ uri: config.toString(), images: true }, token));
    const line = validationLine(result);
    s.log.info(`${configName(config)}: ${line}`);
    const show = result.counts.error + result.counts.warning > 0 ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    void show(`MedSeg: ${configName(config)}: ${line}`, 'Show Problems').then((action) => {
      if (action) void vscode.commands.executeCommand('workbench.actions.view.problems');
    });
    return result;
  } catch (err) {
    reportFailure(s.log, `validating ${configName(config)}`, err);
    return undefined;
  }
}
