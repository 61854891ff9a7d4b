/** The extension's settings (`medseg.*`, declared in package.json), read typed in one place. */
import * as vscode from 'vscode';
import type { PreviewLayerKind, ProviderChoice } from '../../server/src/protocol';
import type { PreviewSettings } from './webview/previewMessages';

export const SECTION = 'medseg';

export interface MedsegSettings {
  provider: ProviderChoice;
  batch: number;
  threads: number;
  preview: PreviewSettings;
  diagnosticsEnabled: boolean;
  /** Finding-code prefixes switched off (`split/patient-leak`, `dataset/`…). */
  diagnosticsOff: string[];
}

const KINDS: PreviewLayerKind[] = ['image', 'reference', 'prediction', 'fusion', 'errors', 'heatmap'];

export function readSettings(scope?: vscode.ConfigurationScope): MedsegSettings {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  const provider = c.get<string>('runtime.provider', 'auto');
  const checks = c.get<Record<string, boolean>>('diagnostics.checks', {});
  const visible = c.get<string[]>('preview.visibleLayers', ['reference', 'errors', 'fusion']);
  return {
    provider: (['auto', 'cpu', 'cuda', 'webgpu'].includes(provider) ? provider : 'auto') as ProviderChoice,
    batch: Math.max(1, c.get<number>('runtime.batch', 8)),
    threads: Math.max(0, c.get<number>('runtime.threads', 0)),
    preview: {
      colours: {
        reference: c.get<string>('preview.colors.reference', ''),
        truePositive: c.get<string>('preview.colors.truePositive', ''),
        falsePositive: c.get<string>('preview.colors.falsePositive', ''),
        falseNegative: c.get<string>('preview.colors.falseNegative', ''),
      },
      opacity: Math.min(1, Math.max(0, c.get<number>('preview.opacity', 0.6))),
      visibleKinds: ['image', ...visible.filter((k): k is PreviewLayerKind => KINDS.includes(k as PreviewLayerKind))],
    },
    diagnosticsEnabled: c.get<boolean>('diagnostics.enable', true),
    diagnosticsOff: Object.entries(checks)
      .filter(([, on]) => on === false)
      .map(([code]) => code),
  };
}

export async function setProvider(provider: ProviderChoice): Promise<void> {
  const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await vscode.workspace.getConfiguration(SECTION).update('runtime.provider', provider, target);
}
