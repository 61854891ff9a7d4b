/**
 * Image operations as ONNX nodes for the hand-designed demo models (./models, ./ctRegionModels):
 * box filters, morphology as MaxPool, soft thresholds.
 */
import type { GraphBuilder } from '../core/onnx';

/** A k×k box filter as a conv (zero padding: the feature fades within k/2 of the image edge). */
export function average(g: GraphBuilder, x: string, k: number, channels = 1): string {
  const weights = new Float32Array(channels * k * k).fill(1 / (k * k));
  return g.conv(x, { weights, shape: [channels, 1, k, k], group: channels });
}

export const dilate = (g: GraphBuilder, x: string, k: number) => g.maxPool(x, k);
/** Erosion as −MaxPool(−x): MaxPool ignores its padding, so edges are not eaten from outside. */
export const erode = (g: GraphBuilder, x: string, k: number) => g.neg(g.maxPool(g.neg(x), k));
export const opening = (g: GraphBuilder, x: string, k: number) => dilate(g, erode(g, x, k), k);
export const closing = (g: GraphBuilder, x: string, k: number) => erode(g, dilate(g, x, k), k);

/** (x − t) · slope: logits that cross 0 where the feature crosses t. */
export const softThreshold = (g: GraphBuilder, x: string, t: number, slope: number) => g.mul(g.sub(x, t), slope);
