/** ReduceMean, ReduceSum, ReduceMax, ReduceMin, MatMul and Gemm for the cross-check. */
import { attr, feed, int64s, randomConstant as w, type OpCase } from '../reference/onnxCase';

const { int, ints, float } = attr;

export const reduceCases: OpCase[] = [
  { name: 'ReduceMean opset 17, axes attribute, keepdims', spec: { op: 'ReduceMean', inputs: [feed([2, 3, 4, 5])], attrs: [ints('axes', [2, 3])] } },
  { name: 'ReduceMean opset 17, negative axis, keepdims 0', spec: { op: 'ReduceMean', inputs: [feed([2, 3, 4])], attrs: [ints('axes', [-2]), int('keepdims', 0)] } },
  { name: 'ReduceMean opset 18, axes input', spec: { op: 'ReduceMean', inputs: [feed([2, 3, 4, 5]), int64s([1, -1])], opset: 18 } },
  { name: 'ReduceMean opset 18, no axes: all', spec: { op: 'ReduceMean', inputs: [feed([2, 3, 4])], attrs: [int('keepdims', 0)], opset: 18 } },
  { name: 'ReduceMean opset 18, noop_with_empty_axes', spec: { op: 'ReduceMean', inputs: [feed([2, 3, 4])], attrs: [int('noop_with_empty_axes', 1)], opset: 18 } },
  { name: 'ReduceSum opset 11, axes attribute', spec: { op: 'ReduceSum', inputs: [feed([2, 3, 4])], attrs: [ints('axes', [0, 2]), int('keepdims', 0)], opset: 11 } },
  { name: 'ReduceSum opset 13, axes input', spec: { op: 'ReduceSum', inputs: [feed([2, 3, 4]), int64s([1])], opset: 13 } },
  { name: 'ReduceSum opset 13, no axes: all', spec: { op: 'ReduceSum', inputs: [feed([2, 3, 4])], opset: 13 } },
  { name: 'ReduceSum opset 13, noop_with_empty_axes', spec: { op: 'ReduceSum', inputs: [feed([2, 3, 4])], attrs: [int('noop_with_empty_axes', 1)], opset: 13 } },
  { name: 'ReduceMax opset 17, axes attribute', spec: { op: 'ReduceMax', inputs: [feed([2, 3, 4])], attrs: [ints('axes', [1]), int('keepdims', 0)] } },
  { name: 'ReduceMax opset 18, axes input', spec: { op: 'ReduceMax', inputs: [feed([2, 3, 4]), int64s([0, 2])], opset: 18 } },
  { name: 'ReduceMax opset 18, no axes', spec: { op: 'ReduceMax', inputs: [feed([2, 3, 4])], opset: 18 } },
  { name: 'ReduceMax opset 18, noop_with_empty_axes', spec: { op: 'ReduceMax', inputs: [feed([2, 3, 4])], attrs: [int('noop_with_empty_axes', 1)], opset: 18 } },
  { name: 'ReduceMin opset 17, axes attribute', spec: { op: 'ReduceMin', inputs: [feed([2, 3, 4])], attrs: [ints('axes', [0, -1])] } },
  { name: 'ReduceMin opset 18, axes input, keepdims 0', spec: { op: 'ReduceMin', inputs: [feed([2, 3, 4]), int64s([1])], attrs: [int('keepdims', 0)], opset: 18 } },
];

export const matmulCases: OpCase[] = [
  { name: 'MatMul 2-D', spec: { op: 'MatMul', inputs: [feed([3, 4]), feed([4, 5])] } },
  { name: 'MatMul batched 3-D × 2-D', spec: { op: 'MatMul', inputs: [feed([2, 3, 4]), w([4, 5], 80)] } },
  { name: 'MatMul broadcast batch [2,1,3,4] × [3,4,5]', spec: { op: 'MatMul', inputs: [feed([2, 1, 3, 4]), feed([3, 4, 5])] } },
  { name: 'MatMul 1-D × 3-D', spec: { op: 'MatMul', inputs: [feed([4]), feed([2, 4, 3])] } },
  { name: 'MatMul 3-D × 1-D', spec: { op: 'MatMul', inputs: [feed([2, 3, 4]), feed([4])] } },
  { name: 'MatMul 1-D × 1-D (scalar)', spec: { op: 'MatMul', inputs: [feed([6]), feed([6])] } },
  { name: 'Gemm defaults, C [N]', spec: { op: 'Gemm', inputs: [feed([3, 4]), w([4, 5], 81), w([5], 82)] } },
  {
    name: 'Gemm transA, transB, alpha, beta, C [M,1]',
    spec: { op: 'Gemm', inputs: [feed([4, 3]), w([5, 4], 83), w([3, 1], 84)], attrs: [int('transA', 1), int('transB', 1), float('alpha', 0.5), float('beta', -2)] },
  },
  { name: 'Gemm scalar C', spec: { op: 'Gemm', inputs: [feed([2, 3]), feed([3, 4]), w([], 85)], attrs: [float('beta', 0.25)] } },
  { name: 'Gemm without C', spec: { op: 'Gemm', inputs: [feed([2, 3]), feed([3, 4])], attrs: [float('alpha', 3)] } },
];
