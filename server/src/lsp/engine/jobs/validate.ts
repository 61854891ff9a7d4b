/** Validation in the worker: the engine's `validateExperiment`, minus what the main thread already knows. */
import type { Finding } from '../../../core/findings';
import { validateExperiment } from '../../../core/validate';
import { isWithinRoots } from '../../writableRoots';
import { splitCounts } from '../datasetCache';
import type { JobParams, ValidationOutcome } from '../protocol';
import type { JobContext } from './context';

export async function validateJob(p: JobParams['validate'], ctx: JobContext): Promise<ValidationOutcome> {
  const result = await validateExperiment(p.file, {
    text: p.text,
    signal: ctx.signal,
    images: p.images,
    onProgress: ctx.progress,
    // An untrusted config may name any `runtime.cache`: the cache is read there but written only inside the workspace.
    mayWrite: (path) => isWithinRoots(path, p.writableRoots),
  });
  ctx.signal.throwIfAborted();
  if (result.parsed.config && result.dataset) ctx.datasets.remember(result.parsed.config, result.dataset);
  // The main thread parses the text itself (it must answer completion and hover without waiting),
  // so the config's own findings are left out here.
  const fromParse = new Set(result.parsed.findings);
  const findings = result.findings.filter((f) => !fromParse.has(f)).map((f) => withoutConfigRange(f, result.parsed.document.file));
  return {
    findings,
    configValid: result.parsed.config !== undefined,
    cases: result.dataset?.cases.length ?? 0,
    splits: splitCounts(result.dataset),
    images: p.images,
  };
}

/**
 * A config-node finding is placed again on the text the editor has when the answer arrives (the
 * user may have typed lines above it meanwhile), so the range computed here is dropped.
 */
function withoutConfigRange(f: Finding, configFile: string): Finding {
  if (!f.configPath || (f.location && f.location.file !== configFile)) return f;
  return { ...f, location: { file: configFile } };
}
