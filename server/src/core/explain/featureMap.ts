/**
 * One sample of a layer's activations, as onnxruntime returns it: a 4-D tensor read with the
 * model's layout (channels second for NCHW, last for NHWC). Exported PyTorch models are NCHW
 * throughout; TensorFlow exports keep NHWC inside the graph, so the input layout is the best guess
 * for the layout of an inner tensor.
 */
export interface FeatureMap {
  channels: number;
  height: number;
  width: number;
  layout: 'NCHW' | 'NHWC';
  /** channels · height · width values of one sample, in `layout`. */
  data: Float32Array;
}

/** Reads [N, C, h, w] (or [N, h, w, C]) dims; undefined when the tensor is not a 2-D feature map. */
export function featureMapShape(dims: readonly number[], layout: 'NCHW' | 'NHWC'): { channels: number; height: number; width: number } | undefined {
  if (dims.length !== 4) return undefined;
  const [, a, b, c] = dims;
  return layout === 'NCHW' ? { channels: a, height: b, width: c } : { channels: c, height: a, width: b };
}

/** Offset of pixel 0 of channel c, and the step from one pixel to the next within that channel. */
export function channelStrides(map: Pick<FeatureMap, 'channels' | 'height' | 'width' | 'layout'>, c: number): { start: number; step: number } {
  return map.layout === 'NCHW' ? { start: c * map.height * map.width, step: 1 } : { start: c, step: map.channels };
}

/** Channel c as a row-major plane (h·w). */
export function channelPlane(map: FeatureMap, c: number, out: Float64Array = new Float64Array(map.height * map.width)): Float64Array {
  const { start, step } = channelStrides(map, c);
  for (let i = 0, s = start; i < out.length; i++, s += step) out[i] = map.data[s];
  return out;
}

/** Root mean square of every activation: the scale finite-difference steps are taken relative to. */
export function activationScale(map: FeatureMap): number {
  let sum = 0;
  for (let i = 0; i < map.data.length; i++) sum += map.data[i] * map.data[i];
  return Math.sqrt(sum / Math.max(1, map.data.length));
}

/** ReLU(Σ_c w_c · A_c): the class activation map at the layer's resolution (h·w, row-major). */
export function weightedChannelSum(map: FeatureMap, weights: ArrayLike<number>): Float64Array {
  const n = map.height * map.width;
  const cam = new Float64Array(n);
  for (let c = 0; c < map.channels; c++) {
    const w = weights[c];
    if (w === 0) continue;
    const { start, step } = channelStrides(map, c);
    for (let i = 0, s = start; i < n; i++, s += step) cam[i] += w * map.data[s];
  }
  for (let i = 0; i < n; i++) if (!(cam[i] > 0)) cam[i] = 0;
  return cam;
}
