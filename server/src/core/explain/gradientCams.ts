/**
 * Class activation maps from a layer's activations A and the target's gradient G = ∂y/∂A (one
 * sample, channels × h × w). Each returns a map ≥ 0 at the layer's resolution.
 * - Grad-CAM (Selvaraju et al. 2017): w_c = mean_ij G_cij, map = ReLU(Σ_c w_c A_c).
 * - Grad-CAM++ (Chattopadhyay et al. 2018, eq. 19 with the exponential's derivatives folded in,
 *   as the paper's reference code does): α_cij = G² / (2G² + Σ_ab A_cab · G³), w_c = Σ_ij α ReLU(G).
 * - XGrad-CAM (Fu et al. 2020): w_c = Σ_ij G_cij A_cij / Σ_ij A_cij.
 * - HiResCAM (Draelos & Carin 2020): map = ReLU(Σ_c G_c ⊙ A_c), no spatial averaging.
 * - LayerCAM (Jiang et al. 2021): map = ReLU(Σ_c ReLU(G_c) ⊙ A_c).
 */
import { channelPlane, weightedChannelSum, type FeatureMap } from './featureMap';

export const GRADIENT_CAM_METHODS = ['gradcam', 'gradcam++', 'xgradcam', 'hirescam', 'layercam'] as const;
export type GradientCamMethod = (typeof GRADIENT_CAM_METHODS)[number];

/** Guards the divisions of Grad-CAM++ and XGrad-CAM where a channel is all zeros (as the authors' code does). */
const EPSILON = 1e-7;

export interface GradientCam {
  cam: Float64Array;
  /** Per-channel weights, for the methods that have them. */
  weights?: Float64Array;
}

function channelWeights(map: FeatureMap, grad: FeatureMap, weight: (a: Float64Array, g: Float64Array) => number): Float64Array {
  const weights = new Float64Array(map.channels);
  const a = new Float64Array(map.height * map.width);
  const g = new Float64Array(map.height * map.width);
  for (let c = 0; c < map.channels; c++) weights[c] = weight(channelPlane(map, c, a), channelPlane(grad, c, g));
  return weights;
}

/** ReLU(Σ_c f(G_c) ⊙ A_c). */
function elementwiseCam(map: FeatureMap, grad: FeatureMap, f: (g: number) => number): Float64Array {
  const n = map.height * map.width;
  const cam = new Float64Array(n);
  const a = new Float64Array(n);
  const g = new Float64Array(n);
  for (let c = 0; c < map.channels; c++) {
    channelPlane(map, c, a);
    channelPlane(grad, c, g);
    for (let i = 0; i < n; i++) cam[i] += f(g[i]) * a[i];
  }
  for (let i = 0; i < n; i++) if (!(cam[i] > 0)) cam[i] = 0;
  return cam;
}

export function gradientCam(method: GradientCamMethod, map: FeatureMap, grad: FeatureMap): GradientCam {
  let weights: Float64Array;
  switch (method) {
    case 'gradcam':
      weights = channelWeights(map, grad, (_a, g) => g.reduce((s, v) => s + v, 0) / g.length);
      break;
    case 'gradcam++':
      weights = channelWeights(map, grad, (a, g) => {
        const sumA = a.reduce((s, v) => s + v, 0);
        let w = 0;
        for (let i = 0; i < g.length; i++) {
          if (g[i] === 0) continue;
          const g2 = g[i] * g[i];
          const alpha = g2 / (2 * g2 + sumA * g2 * g[i] + EPSILON);
          w += alpha * Math.max(g[i], 0);
        }
        return w;
      });
      break;
    case 'xgradcam':
      weights = channelWeights(map, grad, (a, g) => {
        let num = 0;
        let den = 0;
        for (let i = 0; i < g.length; i++) {
          num += g[i] * a[i];
          den += a[i];
        }
        return num / (den + EPSILON);
      });
      break;
    case 'hirescam':
      return { cam: elementwiseCam(map, grad, (g) => g) };
    case 'layercam':
      return { cam: elementwiseCam(map, grad, (g) => Math.max(g, 0)) };
  }
  return { cam: weightedChannelSum(map, weights), weights };
}
