/**
 * One image (2D) or volume (slice by slice) through a model: preprocess, run in batches,
 * resize each probability map back to the reference size, threshold. Shared by the in-process
 * runner and the worker-thread runner, which differ only in how a batch is run.
 */
import type { ModelOutputConfig, Normalization } from '../config/types';
import { InputError } from '../findings';
import type { ImageVolume } from '../io/types';
import { preprocess } from './preprocess';
import { NON_FINITE_SCORES, resizePlanes, resizeProbability, thresholdProbability } from './postprocess';

export const NON_FINITE_CODE = NON_FINITE_SCORES;

/** The model's input as it runs: config plus the [H, W] read from the graph when the config has none. */
export interface ResolvedModelInput {
  size: [number, number];
  layout: 'NCHW' | 'NHWC';
  channels: 1 | 3;
  normalize: Normalization;
}

export interface ReferenceSize {
  width: number;
  height: number;
}

export interface PredictOptions {
  signal?: AbortSignal;
  /** Names the image in errors (its id or path). */
  imageName?: string;
  /** Called after each batch of slices. */
  onProgress?: (slicesDone: number, slicesTotal: number) => void;
}

export interface Prediction {
  /** Foreground probability at the reference size, x fastest, then y, then z. */
  prob: Float32Array;
  /** prob ≥ threshold. */
  mask: Uint8Array;
  width: number;
  height: number;
  depth: number;
  /** With `output.planes: 'all'`: the number of channel volumes in `prob`, one after another. */
  planes?: number;
}

export interface PredictionContext {
  modelName: string;
  modelFile: string;
  input: ResolvedModelInput;
  output: ModelOutputConfig;
  batchSize: number;
  /** Probability maps at the model size (H·W each), one per input. */
  run(inputs: Float32Array[], signal?: AbortSignal): Promise<Float32Array[]>;
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason ?? new DOMException('The operation was aborted', 'AbortError');
}

/** A prediction before thresholding: the probabilities alone (what the evaluation stores and thresholds itself). */
export type Probabilities = Omit<Prediction, 'mask'>;

export async function predictImage(
  ctx: PredictionContext,
  image: ImageVolume,
  refSize: ReferenceSize = { width: image.width, height: image.height },
  options: PredictOptions = {},
): Promise<Prediction> {
  const p = await predictProbabilities(ctx, image, refSize, options);
  return { ...p, mask: thresholdProbability(p.prob, ctx.output.threshold) };
}

/** As predictImage, without the mask (the evaluation thresholds the quantised map instead). */
export async function predictProbabilities(
  ctx: PredictionContext,
  image: ImageVolume,
  refSize: ReferenceSize = { width: image.width, height: image.height },
  options: PredictOptions = {},
): Promise<Probabilities> {
  const { width, height } = refSize;
  const depth = image.depth;
  const plane = width * height;
  const [mh, mw] = ctx.input.size;
  const batch = Math.max(1, ctx.batchSize);
  let prob: Float32Array | undefined;
  let planes = 1;
  for (let z0 = 0; z0 < depth; z0 += batch) {
    throwIfAborted(options.signal);
    const z1 = Math.min(depth, z0 + batch);
    const inputs: Float32Array[] = [];
    for (let z = z0; z < z1; z++) inputs.push(preprocess(image, z, ctx.input));
    let maps: Float32Array[];
    try {
      maps = await ctx.run(inputs, options.signal);
    } catch (err) {
      throw withImageContext(err, ctx, options.imageName, depth > 1 ? [z0, z1 - 1] : undefined);
    }
    maps.forEach((map, k) => {
      // Every channel (regions): planes at the model size, one after another.
      planes = map.length / (mw * mh);
      const resized = planes === 1 ? resizeProbability(map, mw, mh, width, height) : resizePlanes(map, planes, mw, mh, width, height);
      // A single slice at the reference size is the result itself: no copy.
      if (depth === 1 && resized.length === plane * planes) prob = resized;
      else {
        prob ??= new Float32Array(plane * depth * planes);
        // Channel c of slice z goes to volume plane c: [c][z][y][x], each channel's volume contiguous.
        for (let c = 0; c < planes; c++) prob.set(resized.subarray(c * plane, (c + 1) * plane), c * plane * depth + (z0 + k) * plane);
      }
    });
    options.onProgress?.(z1, depth);
  }
  const result: Probabilities = { prob: prob ?? new Float32Array(plane * depth), width, height, depth };
  if (ctx.output.planes === 'all') result.planes = planes;
  return result;
}

/** A non-finite output becomes an error about this image, so the pipeline can report it and go on. */
function withImageContext(err: unknown, ctx: PredictionContext, imageName: string | undefined, slices?: [number, number]): unknown {
  if (!(err instanceof InputError) || err.code !== NON_FINITE_CODE) return err;
  const where = imageName ? ` for image ${imageName}` : '';
  const slicePart = slices ? (slices[0] === slices[1] ? ` (slice ${slices[0]})` : ` (slices ${slices[0]}–${slices[1]})`) : '';
  return new InputError(
    imageName ?? ctx.modelFile,
    `Model \`${ctx.modelName}\` produced NaN or infinite scores${where}${slicePart}. The model is numerically unstable on this input, or the input is not normalised as in training: check \`input.normalize\`.`,
    NON_FINITE_CODE,
  );
}
