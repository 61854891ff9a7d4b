export { buildGradientModel, modelOpset, MIN_GRADIENT_OPSET } from './gradientModel';
export type { GradientModel, GradientModelOptions, GradientSeed } from './gradientModel';
export { Emitter } from './emitter';
export { planGradient } from './plan';
export type { GradientPlan } from './plan';
export { GradientUnsupported } from './types';
export type { FactTable, TensorFacts } from './types';
