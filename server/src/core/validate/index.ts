/**
 * Everything `medseg validate` and the editor's diagnostics report about one config: the config
 * itself, its dataset, its models, the references' labels against the foreground rule or the
 * regions (`labels.ts`) and (when a splits section exists) the split analysis. Findings
 * that belong to a config node are placed on that node's range.
 */
import { loadConfig, parseConfig, type ParsedConfig } from '../config';
import { resolveDataset } from '../dataset';
import type { ResolvedDataset } from '../dataset/types';
import { sortFindings, type Finding } from '../findings';
import { scanCases, type ScanResult } from '../scan';
import { analyzeSplits } from '../splits';
import { pushAll } from '../util/arrays';
import { labelFindings } from './labels';
import { checkModelFiles } from './models';

export interface ValidateOptions {
  /** The config's current text (an editor's unsaved buffer); read from disk when absent. */
  text?: string;
  signal?: AbortSignal;
  onProgress?: (message: string, fraction?: number) => void;
  /** Decode every image and mask (cached by size and mtime). Off for the editor's fast first pass. */
  images?: boolean;
  /**
   * Whether validation may write `path` (the scan cache); default yes. The language server says
   * no outside the workspace while the workspace is untrusted.
   */
  mayWrite?: (path: string) => boolean;
}

export interface ValidationResult {
  parsed: ParsedConfig;
  dataset?: ResolvedDataset;
  scan?: ScanResult;
  findings: Finding[];
}

export async function validateExperiment(file: string, options: ValidateOptions = {}): Promise<ValidationResult> {
  const parsed = options.text !== undefined ? parseConfig(options.text, file) : await loadConfig(file);
  const findings: Finding[] = [...parsed.findings];
  const config = parsed.config;
  let dataset: ResolvedDataset | undefined;
  let scan: ScanResult | undefined;
  if (config) {
    options.onProgress?.('Resolving dataset', 0);
    const resolved = await resolveDataset(config, { signal: options.signal });
    dataset = resolved;
    pushAll(findings, resolved.findings);
    options.signal?.throwIfAborted();
    options.onProgress?.('Checking models', 0.05);
    pushAll(findings, await checkModelFiles(config));
    if (options.images !== false) {
      scan = await scanCases(resolved.cases, config, {
        signal: options.signal,
        saveCache: options.mayWrite?.(config.runtime.cache) ?? true,
        onProgress: (done, total) => options.onProgress?.(`Reading images ${done}/${total}`, 0.1 + (0.8 * done) / total),
      });
      pushAll(findings, scan.findings);
      pushAll(findings, labelFindings(config, resolved.cases, scan.scans, { foregroundWritten: parsed.document.yaml.hasIn(['dataset', 'foreground']) }));
    }
    options.signal?.throwIfAborted();
    options.onProgress?.('Analysing splits', 0.9);
    pushAll(findings, analyzeSplits(config, resolved, scan));
  }
  const placed = findings.map((f) => placeOnConfig(f, parsed));
  options.onProgress?.('Done', 1);
  return { parsed, dataset, scan, findings: sortFindings(placed) };
}

/** Gives a config-node finding the node's range (engines locate by path; editors need lines). */
export function placeOnConfig(f: Finding, parsed: ParsedConfig): Finding {
  if (!f.configPath) return f;
  if (f.location && (f.location.file !== parsed.document.file || f.location.range)) return f;
  return { ...f, location: { file: parsed.document.file, range: parsed.document.rangeOf(f.configPath) } };
}

