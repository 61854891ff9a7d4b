/** Concat, Split, Slice, Pad and Gather for the cross-check. */
import { attr, feed, floats, int64s, type OpCase } from '../reference/onnxCase';

const { int, ints, float, string } = attr;
const INT64_MAX = 9223372036854775807;

export const indexingCases: OpCase[] = [
  { name: 'Concat axis 1, three inputs', spec: { op: 'Concat', inputs: [feed([2, 1, 3]), feed([2, 4, 3]), feed([2, 2, 3])], attrs: [int('axis', 1)] } },
  { name: 'Concat axis -1', spec: { op: 'Concat', inputs: [feed([2, 3, 1]), feed([2, 3, 2])], attrs: [int('axis', -1)] } },
  { name: 'Split opset 11, split attribute', spec: { op: 'Split', inputs: [feed([2, 6, 3])], attrs: [int('axis', 1), ints('split', [1, 2, 3])], opset: 11, outputs: 3 } },
  { name: 'Split opset 13, split input', spec: { op: 'Split', inputs: [feed([2, 6, 3]), int64s([4, 2])], attrs: [int('axis', 1)], opset: 13, outputs: 2 } },
  { name: 'Split opset 13, equal parts', spec: { op: 'Split', inputs: [feed([6, 4])], opset: 13, outputs: 3 } },
  { name: 'Split opset 18, num_outputs with a smaller last part', spec: { op: 'Split', inputs: [feed([2, 7])], attrs: [int('axis', -1), int('num_outputs', 3)], opset: 18, outputs: 3 } },
  {
    name: 'Slice with axes and steps, negative starts and ends',
    spec: { op: 'Slice', inputs: [feed([4, 6, 5]), int64s([-5, 1]), int64s([-1, 100]), int64s([1, 2]), int64s([2, 2])], opset: 13 },
  },
  {
    name: 'Slice negative steps, clamped starts and ends',
    spec: { op: 'Slice', inputs: [feed([4, 6, 5]), int64s([100, -1, 3]), int64s([-100, 0, -INT64_MAX]), int64s([0, 1, -1]), int64s([-1, -2, -1])], opset: 13 },
  },
  { name: 'Slice without axes and steps', spec: { op: 'Slice', inputs: [feed([4, 6]), int64s([1, -3]), int64s([INT64_MAX, -1])], opset: 11 } },
  { name: 'Slice opset 9, attributes', spec: { op: 'Slice', inputs: [feed([4, 6])], attrs: [ints('starts', [1]), ints('ends', [-1]), ints('axes', [1])], opset: 9 } },
  { name: 'Pad constant with a value', spec: { op: 'Pad', inputs: [feed([2, 3, 4]), int64s([0, 1, 2, 1, 0, 3]), floats([], [1.5])], opset: 13 } },
  { name: 'Pad constant without a value, negative pads crop', spec: { op: 'Pad', inputs: [feed([2, 3, 5]), int64s([0, -1, 2, 0, 2, -2])], opset: 13 } },
  { name: 'Pad reflect', spec: { op: 'Pad', inputs: [feed([1, 2, 4, 5]), int64s([0, 0, 2, 3, 0, 0, 3, 4])], attrs: [string('mode', 'reflect')], opset: 13 } },
  { name: 'Pad edge', spec: { op: 'Pad', inputs: [feed([1, 2, 4, 5]), int64s([0, 0, 1, 6, 0, 0, 3, 2])], attrs: [string('mode', 'edge')], opset: 13 } },
  { name: 'Pad opset 18, axes input', spec: { op: 'Pad', inputs: [feed([2, 3, 4]), int64s([1, 2, 0, 1]), floats([], [-1]), int64s([-1, 1])], opset: 18 } },
  { name: 'Pad opset 19, wrap', spec: { op: 'Pad', inputs: [feed([2, 3, 4]), int64s([0, 2, 3, 0, 1, 2])], attrs: [string('mode', 'wrap')], opset: 19 } },
  { name: 'Pad opset 10, attributes', spec: { op: 'Pad', inputs: [feed([2, 3])], attrs: [ints('pads', [1, 0, 0, 2]), float('value', 0.5)], opset: 10 } },
  { name: 'Gather axis 0, negative index', spec: { op: 'Gather', inputs: [feed([5, 3]), int64s([4, -1, 0, 2], [2, 2])] } },
  { name: 'Gather axis 1', spec: { op: 'Gather', inputs: [feed([2, 5, 3]), int64s([-2, 1, 3])], attrs: [int('axis', 1)] } },
  { name: 'Gather scalar index drops the axis', spec: { op: 'Gather', inputs: [feed([2, 5, 3]), int64s([2], [])], attrs: [int('axis', -1)] } },
];
