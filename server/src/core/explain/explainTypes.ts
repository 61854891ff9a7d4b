/**
 * What a ModelExplainer takes and gives: the options of a run, one image to explain, and its
 * explanation (the map at the layer, the heat at the reference size, the prediction, and where
 * the gradient came from).
 */
import type { ImageVolume } from '../io/types';
import type { SaliencySettings } from './inputSaliency';
import type { LayerCandidate } from './layers';
import type { CamMethod, GradientMode, GradientSource } from './methods';

export type { CamMethod } from './methods';
export type CamTarget = 'prediction' | 'reference';

export const NO_GRADIENT_CODE = 'explain/no-gradient';

export interface ChosenLayer extends LayerCandidate {
  /** `auto` when the rule chose it, `config` when the config named it. */
  rule: 'auto' | 'config';
}

export const DEFAULT_SALIENCY: SaliencySettings = { samples: 16, noise: 0.15, steps: 32, seed: 0 };

export interface ExplainImageOptions {
  method: CamMethod;
  target: CamTarget;
  /** Grad-CAM's gradients: exact where possible (`auto`, the default), `exact` only, or finite `differences`. */
  gradients?: GradientMode;
  /** The finite-difference fallback's ε relative to the activations' RMS (default: chosen per image). */
  relativeStep?: number;
  saliency?: SaliencySettings;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** One image to explain. */
export interface ExplainItem {
  image: ImageVolume;
  /** Axial slice of a volume (default 0). */
  slice?: number;
  /** Size of the reference mask the heat is measured against (default: the image's). */
  refSize?: { width: number; height: number };
  /** Reference mask at `refSize` (0/1), needed for `target: reference`. */
  reference?: Uint8Array;
}

export interface ImageExplanation {
  method: CamMethod;
  /** The explained tensor (the layer, or the model input for input saliency). */
  layer: string;
  /** The map at the layer's (or input's) resolution (camWidth × camHeight), ≥ 0. */
  cam: Float64Array;
  camWidth: number;
  camHeight: number;
  /** The map upsampled (bilinear) to the reference size, ≥ 0. */
  heat: Float32Array;
  width: number;
  height: number;
  /** The model's binary prediction at the reference size, as the evaluation computes it. */
  prediction: Uint8Array;
  /** Pixels of the target region at the output's resolution (0: nothing to explain). */
  targetPixels: number;
  /** Where the gradient came from (gradient methods). */
  gradient?: GradientSource;
  weights?: Float64Array;
  epsilon?: number;
  relativeStep?: number;
  scores?: Float64Array;
  explainedVariance?: number;
  /** Runs of the model or its tail spent on this image beyond its one forward run (which carries the backward pass for exact gradients). */
  evaluations: number;
}

export interface ExplainerOptions {
  /** `auto` or a tensor name. */
  layer?: string;
  signal?: AbortSignal;
}
