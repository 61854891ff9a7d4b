/**
 * The models of a run as the evaluation's thread holds them: ONNX models opened in the inference
 * host (one thread for every session), each with its batching plan; prediction files as they are.
 * Case workers get a description of each (caseWorkerProtocol.ts `SourceSpec`) and build their own
 * prediction sources from it.
 */
import type { MedsegConfig, ModelConfig, RuntimeConfig } from '../config/types';
import type { DatasetCase } from '../dataset/types';
import { InputError, type Finding } from '../findings';
import { InferenceHost, planBatches, type BatchPlan, type OpenedModel, type ProviderAttempt, type ProviderName } from '../inference';
import { gpuFreeBytes } from '../inference/deviceMemory';
import type { SkippedModel } from '../results/summary';
import { sha256File } from '../util/hash';
import type { SourceSpec } from './caseWorkerProtocol';
import type { InferencePlace } from './poolSize';

export interface RunModel {
  model: ModelConfig;
  /** ONNX models: the session in the host, the model file's SHA-256 and how its samples are batched. */
  onnx?: { opened: OpenedModel; modelHash: string; batching: BatchPlan };
  /** Inferences run (cache misses), summed over the workers. */
  inferences: number;
}

export interface RunModels {
  models: RunModel[];
  skipped: SkippedModel[];
  findings: Finding[];
  /** Started when some model is an ONNX model. */
  host?: InferenceHost;
}

/** A NIfTI evaluated as a volume: many samples per case, so batch windows hold one case. */
function isVolumeCase(c: DatasetCase): boolean {
  return c.slice === undefined && /\.nii(\.gz)?$/i.test(c.image);
}

/**
 * Opens every model of the config. A model that cannot run (unreadable file, shape not matching
 * its config, provider missing) is reported and skipped; the other models are still evaluated.
 * On an error that is not the model's fault, the host is disposed before the error leaves.
 */
export async function openRunModels(config: MedsegConfig, runtime: RuntimeConfig, cases: readonly DatasetCase[], signal?: AbortSignal): Promise<RunModels> {
  const out: RunModels = { models: [], skipped: [], findings: [] };
  const at = (model: ModelConfig) => ({ location: { file: config.file }, configPath: ['models', model.index, 'path'] });
  try {
    for (const model of config.models) {
      signal?.throwIfAborted();
      if (!model.path) {
        out.models.push({ model, inferences: 0 });
        continue;
      }
      try {
        out.host ??= InferenceHost.start();
        const opened = await out.host.open(model, runtime, signal);
        const modelHash = await sha256File(model.path);
        out.models.push({ model, onnx: { opened, modelHash, batching: { window: 1, chunk: 1, reason: '' } }, inferences: 0 });
        // The graph-versus-config warnings (an output chosen by shape among several) reach this run's user too.
        for (const w of opened.description.warnings) out.findings.push({ code: w.code, severity: 'warning', message: w.message, ...at(model) });
      } catch (err) {
        if (!(err instanceof InputError)) throw err;
        out.findings.push({ code: err.code, severity: 'error', message: `Model \`${model.name}\` is skipped: ${err.message}`, ...at(model) });
        out.skipped.push({ name: model.name, code: err.code, reason: err.message });
      }
    }
    await planRunBatches(out, runtime, cases, config.file, signal);
    return out;
  } catch (err) {
    await out.host?.dispose();
    throw err;
  }
}

async function planRunBatches(out: RunModels, runtime: RuntimeConfig, cases: readonly DatasetCase[], configFile: string, signal?: AbortSignal): Promise<void> {
  const onnx = out.models.filter((m) => m.onnx);
  const volumes = cases.some(isVolumeCase);
  const requested = runtime.caseBatch ?? 'auto';
  const gpuAuto = requested === 'auto' && onnx.some((m) => m.onnx!.opened.description.provider !== 'cpu');
  const deviceFreeBytes = gpuAuto ? await gpuFreeBytes() : undefined;
  for (const m of onnx) {
    const { key, description } = m.onnx!.opened;
    const onGpu = description.provider !== 'cpu';
    const sampleBytes = onGpu && requested === 'auto' && description.fixedBatch === undefined ? await out.host!.measure(key, signal) : undefined;
    m.onnx!.batching = planBatches({
      provider: description.provider,
      requested,
      withinCase: runtime.batch,
      fixedBatch: description.fixedBatch,
      volumes,
      sampleBytes,
      deviceFreeBytes,
      models: onnx.length,
    });
    if (onGpu) {
      const b = m.onnx!.batching;
      out.findings.push({
        code: 'runtime/gpu-batch',
        severity: 'info',
        message: `Model \`${m.model.name}\` runs on ${description.provider} in batches of ${b.chunk}${b.window > 1 ? ` (windows of ${b.window} cases)` : ''}: ${b.reason}.`,
        location: { file: configFile },
        configPath: ['runtime', 'case_batch'],
      });
    }
  }
}

/** Where inference runs in this run (the pool's size follows from it). */
export function inferencePlace(models: readonly RunModel[]): InferencePlace {
  const providers = models.filter((m) => m.onnx).map((m) => m.onnx!.opened.description.provider);
  if (providers.length === 0) return 'none';
  return providers.includes('cpu') ? 'cpu' : 'gpu';
}

/** What a case worker needs to build each model's prediction source. */
export function sourceSpecs(models: readonly RunModel[]): SourceSpec[] {
  return models.map((m) =>
    m.onnx ? { model: m.model, onnx: { modelHash: m.onnx.modelHash, hosted: { key: m.onnx.opened.key, model: m.model, description: m.onnx.opened.description }, batching: { window: m.onnx.batching.window, chunk: m.onnx.batching.chunk } } } : { model: m.model },
  );
}

/** The provider that ran (the first ONNX model's), and what was tried before it. */
export function providerUsed(models: readonly RunModel[]): { used: ProviderName; attempts: ProviderAttempt[] } | undefined {
  const first = models.find((m) => m.onnx);
  return first ? { used: first.onnx!.opened.description.provider, attempts: first.onnx!.opened.description.attempts } : undefined;
}
