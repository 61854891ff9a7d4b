/** Element-wise arithmetic, comparison, logic, n-ary ops and Cast for the cross-check. */
import { onnx } from 'onnx-proto';
import { attr, feed, fixedFeed, floats, type OpCase } from '../reference/onnxCase';
import { BOOL, INT64 } from '../reference/tensor';

const DT = onnx.TensorProto.DataType;
const positive: [number, number] = [0.5, 2];

const arithmetic: OpCase[] = ['Add', 'Sub', 'Mul', 'Div'].flatMap((op): OpCase[] => [
  { name: `${op} [2,3,4] with [3,1]`, spec: { op, inputs: [feed([2, 3, 4]), feed([3, 1], positive)] } },
  { name: `${op} [4] with [2,3,4] (left operand broadcast)`, spec: { op, inputs: [feed([4]), feed([2, 3, 4], positive)] } },
  { name: `${op} with a scalar constant`, spec: { op, inputs: [feed([2, 5]), floats([], [1.75])] } },
]);

const comparisons: OpCase[] = ['Greater', 'Less', 'Equal', 'GreaterOrEqual', 'LessOrEqual'].map((op) => ({
  name: `${op} with equal entries and broadcasting`,
  spec: { op, inputs: [fixedFeed([2, 3], [1, 2, 3, 2, -1, 0.5]), fixedFeed([3], [2, 2, 0.5])] },
}));

const bools = (dims: number[], values: number[]) => fixedFeed(dims, values, BOOL);

export const elementwiseCases: OpCase[] = [
  ...arithmetic,
  { name: 'Pow, positive base, broadcast exponent', spec: { op: 'Pow', inputs: [feed([2, 3, 4], positive), feed([4], [-2, 2])] } },
  { name: 'Div int64 truncates toward zero', spec: { op: 'Div', inputs: [fixedFeed([4], [-7, 7, 9, -9], INT64), fixedFeed([1], [2], INT64)] } },
  ...comparisons,
  { name: 'Greater on random floats', spec: { op: 'Greater', inputs: [feed([3, 4]), feed([3, 4])] } },
  { name: 'Not', spec: { op: 'Not', inputs: [bools([4], [1, 0, 0, 1])] } },
  { name: 'And, broadcasting', spec: { op: 'And', inputs: [bools([2, 2], [1, 0, 1, 1]), bools([2], [1, 0])] } },
  { name: 'Or, broadcasting', spec: { op: 'Or', inputs: [bools([2, 2], [1, 0, 0, 0]), bools([2], [0, 1])] } },
  { name: 'Where, three-way broadcasting', spec: { op: 'Where', inputs: [bools([2, 1, 4], [1, 0, 0, 1, 0, 1, 1, 0]), feed([3, 4]), floats([], [-0.5])] } },
  ...['Max', 'Min', 'Sum', 'Mean'].flatMap((op): OpCase[] => [
    { name: `${op} of three, broadcasting`, spec: { op, inputs: [feed([2, 3, 4]), feed([3, 1]), feed([4])] } },
    { name: `${op} of one`, spec: { op, inputs: [feed([2, 3])] } },
  ]),
  { name: 'Cast float to int64 truncates', spec: { op: 'Cast', inputs: [fixedFeed([6], [-2.7, -0.5, 0, 0.5, 1.9, 3])], attrs: [attr.int('to', DT.INT64)] } },
  { name: 'Cast float to bool', spec: { op: 'Cast', inputs: [fixedFeed([4], [-2, 0, 0.25, 3])], attrs: [attr.int('to', DT.BOOL)] } },
  { name: 'Cast int64 to float', spec: { op: 'Cast', inputs: [fixedFeed([3], [-3, 0, 12], INT64)], attrs: [attr.int('to', DT.FLOAT)] } },
  { name: 'Cast bool to float', spec: { op: 'Cast', inputs: [bools([3], [1, 0, 1])], attrs: [attr.int('to', DT.FLOAT)] } },
];
