export { GraphBuilder } from './graphBuilder';
export type { BuildOptions, ConvSpec, DimSpec, Operand, PoolSpec } from './graphBuilder';
export { describeModel, formatTensorType, parseModelInfo, readModelInfo } from './modelInfo';
export type { ModelInfo, TensorDim, TensorInfo } from './modelInfo';
export { elementTypeName, floatAttr, floatTensor, int64Tensor, int64ToNumber, intAttr, intsAttr, stringAttr } from './protoValues';
