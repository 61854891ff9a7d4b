/**
 * The explanation methods and what each needs:
 * - layer CAMs from exact gradients: Grad-CAM, Grad-CAM++, XGrad-CAM, HiResCAM, LayerCAM (one
 *   forward and backward run per batch of images); Grad-CAM alone can fall back to finite
 *   differences through the model's tail where the graph holds an operator without a gradient rule;
 * - layer CAMs without gradients: Score-CAM (one run per channel), Eigen-CAM (the activations alone);
 * - input saliency from exact gradients with respect to the image: the plain gradient, SmoothGrad
 *   (averaged over noisy copies) and Integrated Gradients (along a path from a baseline).
 */
import { GRADIENT_CAM_METHODS, type GradientCamMethod } from './gradientCams';

export const INPUT_GRADIENT_METHODS = ['saliency', 'smoothgrad', 'integrated-gradients'] as const;
export type InputGradientMethod = (typeof INPUT_GRADIENT_METHODS)[number];

export const CAM_METHODS = [...GRADIENT_CAM_METHODS, 'scorecam', 'eigencam', ...INPUT_GRADIENT_METHODS] as const;
export type CamMethod = (typeof CAM_METHODS)[number];

export function isGradientCam(method: CamMethod): method is GradientCamMethod {
  return (GRADIENT_CAM_METHODS as readonly string[]).includes(method);
}

export function isInputGradient(method: CamMethod): method is InputGradientMethod {
  return (INPUT_GRADIENT_METHODS as readonly string[]).includes(method);
}

/** How the gradient of a Grad-CAM came about: `exact` (the gradient graph) or `differences` (the fallback). */
export type GradientSource = 'exact' | 'differences';

/** `auto`: exact where the graph can be differentiated, else finite differences (Grad-CAM only). */
export type GradientMode = 'auto' | 'exact' | 'differences';

/** How people name each method: the report's and the dashboard's headings, the preview's layers. */
export const METHOD_LABELS: Readonly<Record<CamMethod, string>> = {
  gradcam: 'Grad-CAM',
  'gradcam++': 'Grad-CAM++',
  xgradcam: 'XGrad-CAM',
  hirescam: 'HiResCAM',
  layercam: 'LayerCAM',
  scorecam: 'Score-CAM',
  eigencam: 'Eigen-CAM',
  saliency: 'Saliency',
  smoothgrad: 'SmoothGrad',
  'integrated-gradients': 'Integrated Gradients',
};
