/**
 * Generate Split: the server's `medseg/generateSplit`, or the engine's CLI (`medseg split`) when
 * the server lacks it. The CSV goes where the user says, never silently over the split file a
 * config already uses.
 */
import * as vscode from 'vscode';
import { nodeScriptPath } from '../extensionPaths';
import { runJob } from '../jobs/runJob';
import { runNodeScript } from '../jobs/nodeScript';
import { GenerateSplitRequestMethod, type GenerateSplitParams, type GenerateSplitResult } from '../../../server/src/protocol';
import { NotSupportedError } from '../server/medsegServer';
import { pickConfig } from '../workspace/configs';
import { reportFailure } from './feedback';
import type { Services } from './services';
import { parseSplitSummary, splitLine } from './summaryText';

function outFromArg(arg: unknown): string | undefined {
  const out = arg && typeof arg === 'object' && 'out' in arg ? (arg as { out: unknown }).out : undefined;
  return typeof out === 'string' ? out : undefined;
}

export async function generateSplit(s: Services, arg?: unknown): Promise<GenerateSplitResult | undefined> {
  const config = await pickConfig(arg, 'Which config to propose a split for?');
  if (!config) return undefined;
  let out = outFromArg(arg);
  if (!out) {
    const picked = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.joinPath(config, '..', 'splits.generated.csv'),
      filters: { 'CSV (image_id,split)': ['csv'] },
      title: 'Where to write the proposed split',
    });
    if (!picked) return undefined;
    out = picked.fsPath;
  }
  const params: GenerateSplitParams = { uri: config.toString(), out };
  try {
    const result = await runJob(s.statusBar, 'generating a split', async (report, token) => {
      try {
        return await s.server.requestWithProgress<GenerateSplitResult>(GenerateSplitRequestMethod, params, report, token);
      } catch (err) {
        if (!(err instanceof NotSupportedError)) throw err;
        s.log.info('the server has no medseg/generateSplit; running `medseg split`');
        const r = await runNodeScript(nodeScriptPath(s.context, 'cli'), ['split', config.fsPath, '--out', out!], { log: s.log, token, onLine: (line) => report(line, undefined) });
        if (r.cancelled) throw new vscode.CancellationError();
        if (r.code !== 0) throw new Error(r.stderr.trim().split('\n').pop() || `medseg split exited with ${r.code}`);
        return { file: out!, rows: 0, splits: {}, seed: 0, ...parseSplitSummary(r.stdout + r.stderr) };
      }
    });
    const line = splitLine(result);
    s.log.info(line);
    void vscode.window.showInformationMessage(`MedSeg: ${line}`, 'Open').then((a) => {
      if (a) void vscode.window.showTextDocument(vscode.Uri.file(result.file));
    });
    return result;
  } catch (err) {
    if (err instanceof vscode.CancellationError) return undefined;
    reportFailure(s.log, 'generating a split', err);
    return undefined;
  }
}
