/**
 * Messages between the language server's main thread and its engine workers. Jobs carry the
 * config's current text (the editor's buffer, maybe unsaved), never a parsed object, so either
 * side can be restarted without shared state.
 */
import type {
  EvaluateResult,
  ExplainSectionData,
  ImagesResult,
  PreviewDataResult,
  ProviderChoice,
  SplitChoice,
  StressTestResult,
  ThumbnailResult,
  UmapResult,
} from '../../protocol';
import type { Finding } from '../../core/findings';

export interface ConfigText {
  /** Absolute path of the config file. */
  file: string;
  text: string;
}

/** What a validation found beyond the config text itself (the main thread parses that). */
export interface ValidationOutcome {
  /** Engine findings (dataset, models, images, splits); config-node findings carry no range. */
  findings: Finding[];
  /** False when the config has errors, so nothing else was checked. */
  configValid: boolean;
  cases: number;
  /** Cases per split; `none` for cases without one. */
  splits: Record<string, number>;
  /** Whether images were decoded (or read from the scan cache). */
  images: boolean;
}

export interface GeneratedSplit {
  file: string;
  rows: number;
  splits: Record<string, number>;
  seed: number;
}

/** Folders a job may write in (the scan cache, a split file); absent: anywhere. Set while the workspace is untrusted. */
export interface WriteLimit {
  writableRoots?: string[];
}

export interface JobParams {
  validate: ConfigText & WriteLimit & { images: boolean };
  evaluate: ConfigText & { split?: SplitChoice; provider?: ProviderChoice };
  images: ConfigText & { split?: SplitChoice };
  preview: ConfigText & { image: string; slice?: number; window?: [number, number] };
  generateSplit: ConfigText & WriteLimit & { out: string; tries: number; seed?: number };
  umap: ConfigText & { colorBy?: string };
  thumbnail: ConfigText & { imageId: string; size?: number };
  stress: ConfigText & { split?: SplitChoice; provider?: ProviderChoice };
  /** The dashboard's explanations section of the config's results folder. */
  explainSection: ConfigText;
}

export interface JobResults {
  validate: ValidationOutcome;
  evaluate: EvaluateResult;
  images: ImagesResult;
  preview: PreviewDataResult;
  generateSplit: GeneratedSplit;
  umap: UmapResult;
  thumbnail: ThumbnailResult;
  stress: StressTestResult;
  explainSection: ExplainSectionData | null;
}

export type JobKind = keyof JobParams;

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  code?: string;
  /** The job stopped because it was cancelled. */
  cancelled?: boolean;
}

export type ToWorker = { type: 'job'; id: number; kind: JobKind; params: unknown } | { type: 'cancel'; id: number };

export type FromWorker =
  | { type: 'progress'; id: number; message: string; fraction?: number }
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; error: SerializedError }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };

/** An error a job throws on purpose: its message is for the user, its code for the client. */
export class JobError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'JobError';
  }
}
