/** Unary math, activations, Clip, Softmax and LogSoftmax for the cross-check. */
import { attr, feed, floats, randomConstant, type OpCase, type OpCaseSpec } from '../reference/onnxCase';

const { float, int, string } = attr;

const unary = (op: string, range: [number, number] = [-3, 3], attrs: OpCaseSpec['attrs'] = [], opset = 17): OpCaseSpec => ({
  op,
  inputs: [feed([2, 3, 4, 5], range)],
  attrs,
  opset,
});

const mathCases: OpCase[] = [
  ...['Relu', 'Sigmoid', 'Tanh', 'Softplus', 'Exp', 'Neg', 'Abs', 'Erf'].map((op) => ({ name: op, spec: unary(op) })),
  { name: 'Softplus, large magnitudes', spec: unary('Softplus', [-30, 30]) },
  { name: 'Sigmoid, large magnitudes', spec: unary('Sigmoid', [-30, 30]) },
  { name: 'Sqrt', spec: unary('Sqrt', [0.01, 4]) },
  { name: 'Log', spec: unary('Log', [0.01, 4]) },
  { name: 'Reciprocal', spec: unary('Reciprocal', [0.5, 3]) },
  { name: 'Reciprocal, negative', spec: unary('Reciprocal', [-3, -0.5]) },
];

const activationFunctionCases: OpCase[] = [
  { name: 'LeakyRelu default alpha', spec: unary('LeakyRelu') },
  { name: 'LeakyRelu alpha 0.3', spec: unary('LeakyRelu', [-3, 3], [float('alpha', 0.3)]) },
  { name: 'PRelu, per-channel slope [3,1,1]', spec: { op: 'PRelu', inputs: [feed([2, 3, 4, 5]), randomConstant([3, 1, 1], 40)] } },
  { name: 'PRelu, slope of one value', spec: { op: 'PRelu', inputs: [feed([2, 3, 4]), floats([1], [0.2])] } },
  { name: 'Elu default alpha', spec: unary('Elu') },
  { name: 'Elu alpha 0.5', spec: unary('Elu', [-3, 3], [float('alpha', 0.5)]) },
  { name: 'Selu defaults', spec: unary('Selu') },
  { name: 'Selu alpha 1.5 gamma 2', spec: unary('Selu', [-3, 3], [float('alpha', 1.5), float('gamma', 2)]) },
  { name: 'HardSigmoid defaults (both kinks inside the range)', spec: unary('HardSigmoid', [-4, 4]) },
  { name: 'HardSigmoid alpha 0.5 beta 0.25', spec: unary('HardSigmoid', [-4, 4], [float('alpha', 0.5), float('beta', 0.25)]) },
  { name: 'HardSwish', spec: unary('HardSwish', [-5, 5]) },
  { name: 'Gelu opset 20, exact (erf)', spec: unary('Gelu', [-4, 4], [], 20) },
  { name: 'Gelu opset 20, tanh approximation', spec: unary('Gelu', [-4, 4], [string('approximate', 'tanh')], 20) },
];

const clip = (inputs: OpCaseSpec['inputs'], attrs: OpCaseSpec['attrs'] = [], opset = 17): OpCaseSpec => ({ op: 'Clip', inputs, attrs, opset });

const clipCases: OpCase[] = [
  { name: 'Clip min and max inputs', spec: clip([feed([3, 4]), floats([], [-0.5]), floats([], [1])]) },
  { name: 'Clip min only', spec: clip([feed([3, 4]), floats([], [0.25])]) },
  { name: 'Clip max only (min omitted)', spec: clip([feed([3, 4]), null, floats([], [0.25])]) },
  { name: 'Clip without bounds', spec: clip([feed([3, 4])]) },
  { name: 'Clip opset 10, min/max attributes', spec: clip([feed([3, 4])], [float('min', -1), float('max', 0.5)], 10) },
  { name: 'Clip opset 10, max attribute only', spec: clip([feed([3, 4])], [float('max', 0.5)], 10) },
];

const softmaxCases: OpCase[] = ['Softmax', 'LogSoftmax'].flatMap((op): OpCase[] => [
  { name: `${op} opset 11, default axis 1: coerced to 2-D`, spec: { op, inputs: [feed([2, 3, 4], [-4, 4])], opset: 11 } },
  { name: `${op} opset 12, axis 2 of a 4-D input: coerced to 2-D`, spec: { op, inputs: [feed([2, 2, 3, 4], [-4, 4])], attrs: [int('axis', 2)], opset: 12 } },
  { name: `${op} opset 13, default axis -1`, spec: { op, inputs: [feed([2, 3, 4], [-4, 4])], opset: 13 } },
  { name: `${op} opset 13, axis 1 only`, spec: { op, inputs: [feed([2, 3, 4], [-4, 4])], attrs: [int('axis', 1)], opset: 13 } },
]);

export const activationCases: OpCase[] = [...mathCases, ...activationFunctionCases, ...clipCases, ...softmaxCases];
