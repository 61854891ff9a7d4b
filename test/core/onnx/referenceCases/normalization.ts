/** BatchNormalization, InstanceNormalization, LayerNormalization, GroupNormalization for the cross-check. */
import { attr, feed, randomConstant as w, type OpCase } from '../reference/onnxCase';

const { float, int } = attr;
const variance = (dims: number[], seed: number) => w(dims, seed, [0.2, 2]);

export const normalizationCases: OpCase[] = [
  {
    name: 'BatchNormalization (inference), 4-D',
    spec: { op: 'BatchNormalization', inputs: [feed([2, 3, 4, 5]), w([3], 50), w([3], 51), w([3], 52), variance([3], 53)] },
  },
  {
    name: 'BatchNormalization epsilon 1e-2, 3-D, opset 15',
    spec: { op: 'BatchNormalization', inputs: [feed([2, 4, 6]), w([4], 54), w([4], 55), w([4], 56), variance([4], 57)], attrs: [float('epsilon', 1e-2)], opset: 15 },
  },
  {
    name: 'BatchNormalization opset 11',
    spec: { op: 'BatchNormalization', inputs: [feed([1, 3, 4, 4]), w([3], 58), w([3], 59), w([3], 60), variance([3], 61)], opset: 11 },
  },
  { name: 'InstanceNormalization 4-D', spec: { op: 'InstanceNormalization', inputs: [feed([2, 3, 4, 5]), w([3], 62), w([3], 63)] } },
  {
    name: 'InstanceNormalization 5-D, epsilon 1e-3',
    spec: { op: 'InstanceNormalization', inputs: [feed([1, 2, 3, 4, 3]), w([2], 64), w([2], 65)], attrs: [float('epsilon', 1e-3)] },
  },
  { name: 'LayerNormalization axis -1 with bias', spec: { op: 'LayerNormalization', inputs: [feed([2, 3, 8]), w([8], 66), w([8], 67)] } },
  {
    name: 'LayerNormalization axis 1, Mean and InvStdDev outputs, no bias',
    spec: { op: 'LayerNormalization', inputs: [feed([2, 3, 4, 5]), w([3, 4, 5], 68)], attrs: [int('axis', 1), float('epsilon', 1e-3)], outputs: 3 },
  },
  {
    name: 'LayerNormalization axis -2, three outputs',
    spec: { op: 'LayerNormalization', inputs: [feed([3, 4, 6]), w([4, 6], 69), w([4, 6], 70)], attrs: [int('axis', -2)], outputs: 3 },
  },
  {
    name: 'GroupNormalization opset 18: per-group scale and bias',
    spec: { op: 'GroupNormalization', inputs: [feed([2, 6, 3, 4]), w([3], 71), w([3], 72)], attrs: [int('num_groups', 3)], opset: 18 },
  },
  {
    name: 'GroupNormalization opset 18, 3-D input, epsilon 1e-2',
    spec: { op: 'GroupNormalization', inputs: [feed([1, 4, 7]), w([2], 73), w([2], 74)], attrs: [int('num_groups', 2), float('epsilon', 1e-2)], opset: 18 },
  },
];
