/**
 * The seed of a gradient graph for Seg-Grad-CAM's target y = Σ_{p ∈ M} score_fg(p): ∂y/∂scores is
 * 1 on the foreground channel at the pixels of M and 0 elsewhere. M is either the model's own
 * predicted mask, computed inside the graph from its output exactly as the evaluation thresholds it
 * (activation, foreground channel, probability ≥ threshold), or a mask the caller writes (the
 * reference, or a prediction fixed across the runs of one image).
 */
import type { ModelOutputConfig } from '../config/types';
import { foregroundChannel, type ScoreMapShape } from '../inference';
import type { Emitter } from '../onnx/autodiff';

/** Builds, in the gradient graph, the seed of the predicted-mask target from the output `y` (dims at batch 1). */
export function predictionSeedBuilder(output: Pick<ModelOutputConfig, 'activation' | 'channel' | 'threshold'>, dims: readonly number[], layout: 'NCHW' | 'NHWC'): (e: Emitter, y: string) => string {
  return (e, y) => {
    if (dims.length === 3) {
      // One score per pixel: a softmax over one channel is 1 everywhere.
      if (output.activation === 'softmax') return e.add(e.zerosLike(y), e.scalar(output.threshold <= 1 ? 1 : 0));
      const prob = output.activation === 'sigmoid' ? e.node('Sigmoid', [y]) : y;
      return e.toFloat(e.node('Not', [e.node('Less', [prob, e.scalar(output.threshold)])]));
    }
    const axis = layout === 'NCHW' ? 1 : 3;
    const channels = dims[axis];
    const fg = foregroundChannel({ channels, height: 0, width: 0, layout }, output);
    let prob: string;
    if (output.activation === 'softmax') {
      // Written out rather than Softmax, whose axis meant "all axes from here on" before opset 13.
      const exp = e.node('Exp', [e.sub(y, e.reduceMax(y, [axis], true))]);
      prob = e.div(exp, e.reduceSum(exp, [axis], true));
    } else prob = y;
    prob = channels === 1 ? prob : e.slice(prob, [fg], [fg + 1], [axis]);
    if (output.activation === 'sigmoid') prob = e.node('Sigmoid', [prob]);
    const mask = e.toFloat(e.node('Not', [e.node('Less', [prob, e.scalar(output.threshold)])]));
    if (channels === 1) return mask;
    const oneHot = new Float32Array(channels);
    oneHot[fg] = 1;
    const onFg = e.floats(oneHot, axis === 1 ? [1, channels, 1, 1] : [1, 1, 1, channels], 'seed_channel');
    return e.node('Mul', [mask, onFg], [], 'seed');
  };
}

/** Writes the seed of a 0/1 mask (at the output's resolution) for sample `sample` into `into` (the seed tensor's data). */
export function writeMaskSeed(into: Float32Array, shape: ScoreMapShape, output: Pick<ModelOutputConfig, 'channel'>, mask: Uint8Array, sample = 0): void {
  const n = shape.height * shape.width;
  const fg = foregroundChannel(shape, output);
  const base = sample * n * shape.channels;
  into.fill(0, base, base + n * shape.channels);
  if (shape.layout === 'NCHW') {
    const first = base + fg * n;
    for (let i = 0; i < n; i++) into[first + i] = mask[i];
  } else {
    for (let i = 0; i < n; i++) into[base + i * shape.channels + fg] = mask[i];
  }
}

/** Pixels of a seed plane that are set (the target's size). */
export function countSeed(seed: Float32Array, start: number, length: number): number {
  let count = 0;
  for (let i = start; i < start + length; i++) if (seed[i] !== 0) count++;
  return count;
}
