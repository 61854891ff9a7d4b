/** MaxPool, AveragePool and the global pools for the reference-vs-onnxruntime cross-check. */
import { attr, feed, type OpCase, type OpCaseSpec } from '../reference/onnxCase';

const { ints, int, string } = attr;

const pool = (op: string, dims: number[], attrs: OpCaseSpec['attrs'], extra: Partial<OpCaseSpec> = {}): OpCaseSpec => ({ op, inputs: [feed(dims)], attrs, ...extra });

const maxPoolCases: OpCase[] = [
  { name: 'MaxPool 3×3, stride 2, pads 1', spec: pool('MaxPool', [2, 3, 7, 8], [ints('kernel_shape', [3, 3]), ints('strides', [2, 2]), ints('pads', [1, 1, 1, 1])]) },
  {
    name: 'MaxPool ceil_mode adds a window',
    spec: pool('MaxPool', [1, 2, 6, 7], [ints('kernel_shape', [3, 2]), ints('strides', [2, 2]), int('ceil_mode', 1)]),
  },
  {
    // (5 + 2 − 2) / 2 + 1 = 3.5 → 4 by ceil, but the 4th window would start past the input and
    // its leading pad: onnxruntime drops it (its shape inference says 4).
    name: 'MaxPool ceil_mode drops a window starting in the end padding',
    spec: pool('MaxPool', [1, 1, 5, 5], [ints('kernel_shape', [2, 2]), ints('strides', [2, 2]), ints('pads', [1, 1, 1, 1]), int('ceil_mode', 1)]),
  },
  { name: 'MaxPool dilations 2', spec: pool('MaxPool', [1, 2, 8, 9], [ints('kernel_shape', [2, 3]), ints('dilations', [2, 2]), ints('pads', [1, 0, 1, 2])]) },
  ...[0, 1].map(
    (order): OpCase => ({
      name: `MaxPool Indices, storage_order ${order}, batch 2, pads`,
      spec: pool('MaxPool', [2, 3, 5, 6], [ints('kernel_shape', [3, 3]), ints('strides', [2, 2]), ints('pads', [1, 1, 1, 1]), int('storage_order', order)], { outputs: 2 }),
    }),
  ),
  {
    name: 'MaxPool Indices, ceil_mode, dilations',
    spec: pool('MaxPool', [2, 2, 7, 6], [ints('kernel_shape', [2, 2]), ints('strides', [2, 2]), ints('dilations', [2, 1]), int('ceil_mode', 1)], { outputs: 2 }),
  },
  ...['SAME_UPPER', 'SAME_LOWER'].map(
    (mode): OpCase => ({ name: `MaxPool auto_pad ${mode}`, spec: pool('MaxPool', [1, 2, 7, 6], [ints('kernel_shape', [4, 3]), ints('strides', [2, 2]), string('auto_pad', mode)]) }),
  ),
  { name: 'MaxPool auto_pad VALID, ceil_mode', spec: pool('MaxPool', [1, 2, 7, 8], [ints('kernel_shape', [3, 3]), ints('strides', [2, 3]), string('auto_pad', 'VALID'), int('ceil_mode', 1)]) },
  { name: 'MaxPool 1-D', spec: pool('MaxPool', [2, 3, 11], [ints('kernel_shape', [3]), ints('strides', [2]), ints('pads', [1, 1])]) },
  { name: 'MaxPool 3-D with Indices', spec: pool('MaxPool', [1, 2, 4, 5, 6], [ints('kernel_shape', [2, 2, 3]), ints('strides', [2, 2, 2]), ints('pads', [0, 1, 1, 1, 0, 1])], { outputs: 2 }) },
];

const averagePoolCases: OpCase[] = [
  ...[0, 1].flatMap((includePad) =>
    [0, 1].map(
      (ceil): OpCase => ({
        name: `AveragePool pads 1, count_include_pad ${includePad}, ceil_mode ${ceil}`,
        spec: pool('AveragePool', [2, 2, 6, 7], [
          ints('kernel_shape', [3, 3]),
          ints('strides', [2, 2]),
          ints('pads', [1, 1, 1, 1]),
          int('count_include_pad', includePad),
          int('ceil_mode', ceil),
        ]),
      }),
    ),
  ),
  {
    name: 'AveragePool asymmetric pads, count_include_pad 1',
    spec: pool('AveragePool', [1, 2, 5, 6], [ints('kernel_shape', [2, 3]), ints('pads', [0, 2, 1, 0]), int('count_include_pad', 1)]),
  },
  ...['SAME_UPPER', 'SAME_LOWER'].flatMap((mode) =>
    [0, 1].map(
      (includePad): OpCase => ({
        name: `AveragePool auto_pad ${mode}, count_include_pad ${includePad}`,
        spec: pool('AveragePool', [1, 2, 6, 7], [ints('kernel_shape', [4, 3]), ints('strides', [1, 2]), string('auto_pad', mode), int('count_include_pad', includePad)]),
      }),
    ),
  ),
  {
    name: 'AveragePool opset 19 dilations, ceil_mode, count_include_pad 1',
    spec: pool(
      'AveragePool',
      [1, 2, 7, 9],
      [ints('kernel_shape', [3, 2]), ints('strides', [2, 2]), ints('dilations', [2, 2]), ints('pads', [1, 1, 1, 1]), int('ceil_mode', 1), int('count_include_pad', 1)],
      { opset: 19 },
    ),
  },
  { name: 'AveragePool 1-D', spec: pool('AveragePool', [2, 2, 9], [ints('kernel_shape', [4]), ints('strides', [3]), ints('pads', [2, 1])]) },
  {
    name: 'AveragePool 3-D, count_include_pad 1',
    spec: pool('AveragePool', [1, 2, 4, 5, 5], [ints('kernel_shape', [2, 3, 3]), ints('strides', [2, 2, 2]), ints('pads', [1, 1, 1, 0, 1, 1]), int('count_include_pad', 1)]),
  },
];

const globalCases: OpCase[] = [
  { name: 'GlobalAveragePool 2-D', spec: pool('GlobalAveragePool', [2, 3, 5, 6], []) },
  { name: 'GlobalAveragePool 3-D', spec: pool('GlobalAveragePool', [1, 2, 3, 4, 5], []) },
  { name: 'GlobalMaxPool 2-D', spec: pool('GlobalMaxPool', [2, 3, 5, 6], []) },
  { name: 'GlobalMaxPool 1-D', spec: pool('GlobalMaxPool', [2, 3, 7], []) },
];

export const poolCases: OpCase[] = [...maxPoolCases, ...averagePoolCases, ...globalCases];
