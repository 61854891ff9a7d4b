/** Shape-only ops (Reshape … Constant) for the cross-check. */
import { attr, feed, fixedFeed, floats, int64s, type OpCase } from '../reference/onnxCase';
import { floatTensor, int64Tensor } from '../../../../server/src/core/onnx/protoValues';
import { BOOL, INT64 } from '../reference/tensor';

const { int, ints, float, floats: floatsAttr, tensor } = attr;

export const shapeCases: OpCase[] = [
  { name: 'Reshape with 0 (copy) and -1 (infer)', spec: { op: 'Reshape', inputs: [feed([2, 3, 4]), int64s([0, -1, 2])] } },
  { name: 'Reshape opset 14 allowzero 1: a 0 is a zero size', spec: { op: 'Reshape', inputs: [fixedFeed([0, 3], []), int64s([3, 0])], attrs: [int('allowzero', 1)], opset: 14 } },
  { name: 'Flatten default axis 1', spec: { op: 'Flatten', inputs: [feed([2, 3, 4])] } },
  { name: 'Flatten axis 0', spec: { op: 'Flatten', inputs: [feed([2, 3, 4])], attrs: [int('axis', 0)] } },
  { name: 'Flatten axis -1', spec: { op: 'Flatten', inputs: [feed([2, 3, 4])], attrs: [int('axis', -1)] } },
  { name: 'Transpose default (reversed axes)', spec: { op: 'Transpose', inputs: [feed([2, 3, 4])] } },
  { name: 'Transpose perm [0,2,3,1]', spec: { op: 'Transpose', inputs: [feed([2, 3, 4, 5])], attrs: [ints('perm', [0, 2, 3, 1])] } },
  { name: 'Squeeze opset 11, axes attribute', spec: { op: 'Squeeze', inputs: [feed([1, 3, 1, 4])], attrs: [ints('axes', [0, -2])], opset: 11 } },
  { name: 'Squeeze opset 13, axes input', spec: { op: 'Squeeze', inputs: [feed([1, 3, 1, 4]), int64s([2])], opset: 13 } },
  { name: 'Squeeze without axes drops every 1', spec: { op: 'Squeeze', inputs: [feed([1, 3, 1, 4])], opset: 13 } },
  { name: 'Unsqueeze opset 11, axes attribute', spec: { op: 'Unsqueeze', inputs: [feed([3, 4])], attrs: [ints('axes', [0, 3])], opset: 11 } },
  { name: 'Unsqueeze opset 13, negative axes input', spec: { op: 'Unsqueeze', inputs: [feed([3, 4]), int64s([-1, 1])], opset: 13 } },
  { name: 'Expand [3,1] to [2,3,4]', spec: { op: 'Expand', inputs: [feed([3, 1]), int64s([2, 3, 4])] } },
  { name: 'Expand to a shape of lower rank', spec: { op: 'Expand', inputs: [feed([2, 1, 4]), int64s([3, 1])] } },
  { name: 'Tile', spec: { op: 'Tile', inputs: [feed([2, 3]), int64s([2, 3])] } },
  { name: 'Identity', spec: { op: 'Identity', inputs: [feed([2, 3])] } },
  { name: 'Dropout opset 11 (ratio attribute) with mask', spec: { op: 'Dropout', inputs: [feed([2, 3])], attrs: [float('ratio', 0.3)], opset: 11, outputs: 2 } },
  {
    name: 'Dropout opset 13 (ratio and training_mode inputs) with mask',
    spec: { op: 'Dropout', inputs: [feed([2, 3]), floats([], [0.4]), fixedFeed([], [0], BOOL)], opset: 13, outputs: 2 },
  },
  { name: 'Shape', spec: { op: 'Shape', inputs: [feed([2, 3, 4])] } },
  { name: 'Shape opset 15, start 1 end -1', spec: { op: 'Shape', inputs: [feed([2, 3, 4, 5])], attrs: [int('start', 1), int('end', -1)], opset: 15 } },
  { name: 'Shape opset 15, start -2', spec: { op: 'Shape', inputs: [feed([2, 3, 4, 5])], attrs: [int('start', -2)], opset: 15 } },
  { name: 'ConstantOfShape default value 0', spec: { op: 'ConstantOfShape', inputs: [fixedFeed([2], [2, 3], INT64)] } },
  { name: 'ConstantOfShape float value', spec: { op: 'ConstantOfShape', inputs: [int64s([3, 2])], attrs: [tensor('value', floatTensor('v', [1], [2.5]))] } },
  { name: 'ConstantOfShape int64 value', spec: { op: 'ConstantOfShape', inputs: [int64s([4])], attrs: [tensor('value', int64Tensor('v', [1], [7]))] } },
  { name: 'Constant value tensor', spec: { op: 'Constant', inputs: [], attrs: [tensor('value', floatTensor('v', [2, 2], [1, -2, 3.5, 4]))] } },
  { name: 'Constant value_float', spec: { op: 'Constant', inputs: [], attrs: [float('value_float', -1.25)] } },
  { name: 'Constant value_floats', spec: { op: 'Constant', inputs: [], attrs: [floatsAttr('value_floats', [0.5, 1.5, -3])] } },
  { name: 'Constant value_int', spec: { op: 'Constant', inputs: [], attrs: [int('value_int', -4)] } },
  { name: 'Constant value_ints', spec: { op: 'Constant', inputs: [], attrs: [ints('value_ints', [3, -1, 2])] } },
];
