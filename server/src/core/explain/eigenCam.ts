/**
 * Eigen-CAM (Muhammad & Yeasin, 2020): the activations of the layer projected on their first
 * principal component. Pixels are the samples and channels the variables; the activations are
 * centred per channel first (as pytorch-grad-cam's `get_2d_projection` does). No target and no
 * gradient: it shows what the layer varies most with, whatever the output.
 *
 * A principal component has no sign of its own. Given an orientation map (the explainer passes
 * the model's foreground probability at the layer's resolution), the projection is made to
 * correlate positively with it, so the map points at what the model segments rather than at the
 * background; without one (or when that correlation is zero), with the mean activation over
 * channels; failing that, the pixel of largest |projection| is made positive.
 */
import { channelStrides, type FeatureMap } from './featureMap';
import { leadingEigen } from './linalg';

export interface EigenCamResult {
  /** The centred activations projected on the oriented first component (h·w), before the ReLU. */
  projection: Float64Array;
  /** The first principal component, one coefficient per channel, unit length. */
  component: Float64Array;
  /** Share of the total variance along the component (λ₁ / trace); 0 for constant activations. */
  explainedVariance: number;
  /** ReLU of the projection: the map at the layer's resolution. */
  cam: Float64Array;
}

/** Pixels × channels, centred per channel, row-major (pixel rows). */
function centredMatrix(map: FeatureMap): Float64Array {
  const n = map.height * map.width;
  const C = map.channels;
  const x = new Float64Array(n * C);
  for (let c = 0; c < C; c++) {
    const { start, step } = channelStrides(map, c);
    let mean = 0;
    for (let i = 0, s = start; i < n; i++, s += step) mean += map.data[s];
    mean /= n;
    for (let i = 0, s = start; i < n; i++, s += step) x[i * C + c] = map.data[s] - mean;
  }
  return x;
}

export function eigenCam(map: FeatureMap, orientBy?: ArrayLike<number>): EigenCamResult {
  const n = map.height * map.width;
  const C = map.channels;
  const x = centredMatrix(map);
  let trace = 0;
  for (let i = 0; i < x.length; i++) trace += x[i] * x[i];
  // Covariance Xᵀ·X applied without forming it: Xᵀ·(X·v).
  const xv = new Float64Array(n);
  const eig = leadingEigen(C, 1, (rows, count, out) => {
    out.fill(0);
    for (let r = 0; r < count; r++) {
      const v = rows.subarray(r * C, (r + 1) * C);
      for (let i = 0; i < n; i++) {
        let s = 0;
        const base = i * C;
        for (let c = 0; c < C; c++) s += x[base + c] * v[c];
        xv[i] = s;
      }
      const o = out.subarray(r * C, (r + 1) * C);
      for (let i = 0; i < n; i++) {
        const s = xv[i];
        if (s === 0) continue;
        const base = i * C;
        for (let c = 0; c < C; c++) o[c] += x[base + c] * s;
      }
    }
  });
  const component = eig.vectors.slice(0, C);
  const projection = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < C; c++) s += x[i * C + c] * component[c];
    projection[i] = s;
  }
  if (orientationSign(map, projection, orientBy) < 0) {
    for (let c = 0; c < C; c++) component[c] = -component[c];
    for (let i = 0; i < n; i++) projection[i] = -projection[i];
  }
  const cam = projection.map((v) => (v > 0 ? v : 0));
  return { projection, component, explainedVariance: trace > 0 ? Math.max(0, eig.values[0]) / trace : 0, cam };
}

/** Σ projection·(reference − mean reference): the sign of their correlation, 0 when negligible. */
function correlationSign(projection: Float64Array, reference: ArrayLike<number>): number {
  const n = projection.length;
  let avg = 0;
  for (let i = 0; i < n; i++) avg += reference[i] / n;
  let corr = 0;
  let size = 0;
  for (let i = 0; i < n; i++) {
    corr += projection[i] * (reference[i] - avg);
    size += Math.abs(projection[i] * (reference[i] - avg));
  }
  return Math.abs(corr) > 1e-12 * size ? Math.sign(corr) : 0;
}

/** +1 or −1: the sign that makes the projection follow `orientBy`, else the mean activation over channels. */
export function orientationSign(map: FeatureMap, projection: Float64Array, orientBy?: ArrayLike<number>): 1 | -1 {
  const n = projection.length;
  if (orientBy) {
    if (orientBy.length !== n) throw new Error(`eigenCam: the orientation map has ${orientBy.length} values for ${n} pixels`);
    const s = correlationSign(projection, orientBy);
    if (s !== 0) return s > 0 ? 1 : -1;
  }
  const meanMap = new Float64Array(n);
  for (let c = 0; c < map.channels; c++) {
    const { start, step } = channelStrides(map, c);
    for (let i = 0, s = start; i < n; i++, s += step) meanMap[i] += map.data[s] / map.channels;
  }
  const s = correlationSign(projection, meanMap);
  if (s !== 0) return s > 0 ? 1 : -1;
  let best = 0;
  for (let i = 1; i < n; i++) if (Math.abs(projection[i]) > Math.abs(projection[best])) best = i;
  return projection[best] < 0 ? -1 : 1;
}
