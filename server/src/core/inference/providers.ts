/**
 * Execution provider selection. onnxruntime-node throws when a provider cannot load (missing
 * CUDA libraries, no WebGPU adapter) instead of falling back, and `listSupportedBackends()` only
 * says what was compiled in: creating a session is the only real test. So `auto` tries each in
 * turn and records why the ones before the winner failed. A GPU provider is first tried in a child
 * process (providerCheck.ts): a driver that crashes or hangs while starting takes that child down,
 * not the evaluation; only a provider that passed is loaded here.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { RuntimeConfig } from '../config/types';
import { checkProviderInChild, type CheckOptions } from './providerCheck';

export type ProviderName = 'cuda' | 'webgpu' | 'cpu';
export type RequestedProvider = RuntimeConfig['provider'];

export interface ProviderAttempt {
  provider: ProviderName;
  ok: boolean;
  /** Why it failed (onnxruntime's message, first line); empty when ok. */
  reason: string;
}

export interface ProviderSelection {
  session: ort.InferenceSession;
  provider: ProviderName;
  attempts: ProviderAttempt[];
}

export interface SessionSettings {
  /** runtime.threads: 0 = all cores. */
  threads?: number;
}

/**
 * The command that installs the CUDA provider libraries, from onnxruntime-node's install script
 * (`script/install-utils.js`): the environment variable wins over the project's `.npmrc`
 * `onnxruntime-node-install=skip`.
 */
export const CUDA_INSTALL_COMMAND = 'ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node';

const fallbackHints: Record<Exclude<ProviderName, 'cpu'>, string> = {
  cuda:
    `install the CUDA provider with \`${CUDA_INSTALL_COMMAND}\` (it downloads libonnxruntime_providers_cuda.so from the ` +
    'Microsoft.ML.OnnxRuntime.Gpu.Linux NuGet package: needs network access, Linux x64, CUDA 12 and cuDNN 9), or use `provider: auto` or `cpu`',
  webgpu: 'WebGPU needs a GPU with a Vulkan driver (libvulkan.so.1) on Linux; use `provider: auto` or `cpu`',
};

/** A provider asked for by name could not be created; the message says how to get it. */
export class ProviderUnavailableError extends Error {
  readonly code = 'runtime/provider-unavailable';
  constructor(
    readonly provider: ProviderName,
    readonly reason: string,
  ) {
    super(`Execution provider \`${provider}\` is not available here: ${reason}. To fix: ${provider === 'cpu' ? 'check the model file' : fallbackHints[provider]}.`);
    this.name = 'ProviderUnavailableError';
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** onnxruntime's messages start with a source location and an assertion; keep the sentence a user can act on. */
export function conciseReason(err: unknown): string {
  const message = errorMessage(err);
  const failed = /Failed to [^\n]*/.exec(message);
  if (failed) return failed[0].trim();
  const line = message.split('\n').find((l) => l.trim() !== '') ?? message;
  return line.replace(/^\/onnxruntime_src\/\S+\s+/, '').trim();
}

/** Whether a session failed because the provider could not start, rather than because of the model. */
function isProviderFailure(err: unknown): boolean {
  return /shared library|adapter|provider|vulkan|dawn|cuda|webgpu/i.test(errorMessage(err));
}

let quietLogs = false;
/** onnxruntime logs provider load failures to stderr itself; the engine reports them as values. */
function silenceRuntimeLogs(): void {
  if (quietLogs) return;
  quietLogs = true;
  ort.env.logLevel = 'fatal';
}

export function sessionOptions(provider: ProviderName, settings: SessionSettings = {}): ort.InferenceSession.SessionOptions {
  const threads = settings.threads && settings.threads > 0 ? settings.threads : availableParallelism();
  return {
    executionProviders: [provider],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: threads,
    logSeverityLevel: 3,
    // ORT's pool spins between operators by default; in a pipeline that decodes, writes and
    // measures on the other threads meanwhile, spinning steals those cores from useful work.
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  };
}

const LINUX_LIBRARY_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/lib/x86_64-linux-gnu', '/usr/lib64', '/usr/lib', '/lib64', '/lib'];

/**
 * Why WebGPU cannot start, known without trying: on Linux, Dawn needs the Vulkan loader, and
 * without it onnxruntime prints a warning to stderr that no log level silences.
 */
function webgpuPrecheck(): string | undefined {
  if (process.platform !== 'linux') return undefined;
  const dirs = [...(process.env.LD_LIBRARY_PATH ?? '').split(delimiter).filter(Boolean), ...LINUX_LIBRARY_DIRS];
  if (dirs.some((d) => existsSync(join(d, 'libvulkan.so.1')))) return undefined;
  return 'Failed to find the Vulkan loader (libvulkan.so.1) that WebGPU needs on Linux';
}

/**
 * Why CUDA cannot start, known without trying: onnxruntime loads its CUDA provider from the folder
 * of its own library, where the install script puts it only when asked to (`.npmrc` skips it).
 */
function cudaPrecheck(): string | undefined {
  let dir: string;
  try {
    dir = join(dirname(require.resolve('onnxruntime-node/package.json')), 'bin', 'napi-v6', process.platform, process.arch);
  } catch {
    return undefined; // a layout this check does not know: let onnxruntime say
  }
  const file = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
  if (existsSync(join(dir, file))) return undefined;
  return `Failed to load shared library ${file}: this onnxruntime-node was installed without its CUDA provider`;
}

function precheck(provider: ProviderName): string | undefined {
  if (provider === 'webgpu') return webgpuPrecheck();
  if (provider === 'cuda') return cudaPrecheck();
  return undefined;
}

/** Test hook: how GPU providers are checked in a child (the script, the time limit). */
export interface SelectOptions {
  check?: CheckOptions;
}

/** Creates a session on the requested provider; `auto` tries cuda, then webgpu, then cpu. */
export async function selectProvider(
  requested: RequestedProvider,
  modelBytes: Uint8Array,
  settings: SessionSettings = {},
  options: SelectOptions = {},
): Promise<ProviderSelection> {
  silenceRuntimeLogs();
  const order: ProviderName[] = requested === 'auto' ? ['cuda', 'webgpu', 'cpu'] : [requested];
  const attempts: ProviderAttempt[] = [];
  let lastError: unknown;
  for (const provider of order) {
    const known = precheck(provider);
    if (known) {
      lastError = new Error(known);
      attempts.push({ provider, ok: false, reason: known });
      continue;
    }
    if (provider !== 'cpu') {
      const check = await checkProviderInChild(provider, options.check);
      if (!check.ok) {
        lastError = new Error(check.reason);
        attempts.push({ provider, ok: false, reason: check.reason });
        continue;
      }
    }
    try {
      const session = await ort.InferenceSession.create(modelBytes, sessionOptions(provider, settings));
      attempts.push({ provider, ok: true, reason: '' });
      return { session, provider, attempts };
    } catch (err) {
      lastError = err;
      attempts.push({ provider, ok: false, reason: conciseReason(err) });
    }
  }
  const last = attempts[attempts.length - 1];
  // CPU is always compiled in: when it fails too, the model is at fault, not the provider.
  if (last.provider === 'cpu' || !isProviderFailure(lastError)) throw lastError;
  throw new ProviderUnavailableError(last.provider, last.reason);
}
