/** Conv and ConvTranspose cases for the reference-vs-onnxruntime cross-check. */
import { attr, feed, randomConstant as w, type OpCase } from '../reference/onnxCase';

const { ints, int, string } = attr;

export const convCases: OpCase[] = [
  {
    name: 'Conv 2-D 3×3, pads 1, bias, batch 2',
    spec: { op: 'Conv', inputs: [feed([2, 3, 5, 6]), w([4, 3, 3, 3], 1), w([4], 2)], attrs: [ints('pads', [1, 1, 1, 1])] },
  },
  {
    name: 'Conv strides 2, dilations 2, asymmetric pads, kernel_shape given, no bias',
    spec: {
      op: 'Conv',
      inputs: [feed([1, 2, 9, 8]), w([3, 2, 3, 2], 3)],
      attrs: [ints('kernel_shape', [3, 2]), ints('strides', [2, 2]), ints('dilations', [2, 2]), ints('pads', [0, 1, 2, 1])],
    },
  },
  {
    name: 'Conv group 2',
    spec: { op: 'Conv', inputs: [feed([1, 4, 5, 5]), w([6, 2, 3, 3], 4), w([6], 5)], attrs: [int('group', 2), ints('pads', [1, 0, 1, 0])] },
  },
  {
    name: 'Conv depthwise (group = channels)',
    spec: { op: 'Conv', inputs: [feed([2, 4, 6, 5]), w([4, 1, 3, 3], 6)], attrs: [int('group', 4), ints('pads', [1, 1, 1, 1])] },
  },
  ...['SAME_UPPER', 'SAME_LOWER'].map(
    (mode): OpCase => ({
      name: `Conv auto_pad ${mode}, even kernel, stride 2`,
      spec: { op: 'Conv', inputs: [feed([1, 2, 7, 6]), w([3, 2, 4, 4], 7), w([3], 8)], attrs: [string('auto_pad', mode), ints('strides', [2, 2])] },
    }),
  ),
  {
    name: 'Conv auto_pad VALID, stride 2',
    spec: { op: 'Conv', inputs: [feed([1, 2, 8, 7]), w([2, 2, 3, 3], 9)], attrs: [string('auto_pad', 'VALID'), ints('strides', [2, 2])] },
  },
  {
    name: 'Conv 1-D, stride 2, pads',
    spec: { op: 'Conv', inputs: [feed([2, 2, 9]), w([3, 2, 3], 10), w([3], 11)], attrs: [ints('strides', [2]), ints('pads', [1, 2])] },
  },
  {
    name: 'Conv 3-D, pads 1',
    spec: { op: 'Conv', inputs: [feed([1, 2, 4, 5, 4]), w([3, 2, 3, 3, 3], 12), w([3], 13)], attrs: [ints('pads', [1, 1, 1, 1, 1, 1])] },
  },
  {
    name: 'ConvTranspose stride 2, bias',
    spec: { op: 'ConvTranspose', inputs: [feed([2, 3, 4, 5]), w([3, 2, 3, 3], 20), w([2], 21)], attrs: [ints('strides', [2, 2])] },
  },
  {
    name: 'ConvTranspose pads, output_padding, dilations',
    spec: {
      op: 'ConvTranspose',
      inputs: [feed([1, 2, 4, 4]), w([2, 3, 3, 2], 22), w([3], 23)],
      attrs: [ints('strides', [2, 3]), ints('pads', [1, 0, 0, 1]), ints('output_padding', [1, 2]), ints('dilations', [2, 1])],
    },
  },
  {
    name: 'ConvTranspose group 2',
    spec: { op: 'ConvTranspose', inputs: [feed([1, 4, 3, 4]), w([4, 3, 3, 3], 24), w([6], 25)], attrs: [int('group', 2), ints('strides', [2, 2]), ints('pads', [1, 1, 1, 1])] },
  },
  ...[
    ['NOTSET', [8, 9]],
    ['SAME_UPPER', [8, 9]],
    ['SAME_LOWER', [8, 9]],
    ['NOTSET', [10, 12]],
  ].map(
    ([mode, shape]): OpCase => ({
      name: `ConvTranspose output_shape [${shape}] auto_pad ${mode}`,
      spec: {
        op: 'ConvTranspose',
        inputs: [feed([1, 2, 4, 5]), w([2, 2, 3, 3], 26), w([2], 27)],
        attrs: [ints('strides', [2, 2]), ints('output_shape', shape as number[]), string('auto_pad', mode as string)],
      },
    }),
  ),
  ...['SAME_UPPER', 'SAME_LOWER', 'VALID'].map(
    (mode): OpCase => ({
      name: `ConvTranspose auto_pad ${mode}, output_padding`,
      spec: {
        op: 'ConvTranspose',
        inputs: [feed([1, 2, 4, 5]), w([2, 2, 3, 4], 28)],
        attrs: [ints('strides', [2, 2]), string('auto_pad', mode), ints('output_padding', [1, 0])],
      },
    }),
  ),
  {
    name: 'ConvTranspose 1-D',
    spec: { op: 'ConvTranspose', inputs: [feed([1, 2, 6]), w([2, 3, 4], 29), w([3], 30)], attrs: [ints('strides', [3]), ints('pads', [1, 2])] },
  },
  {
    name: 'ConvTranspose 3-D',
    spec: { op: 'ConvTranspose', inputs: [feed([1, 2, 3, 3, 4]), w([2, 2, 2, 3, 3], 31), w([2], 32)], attrs: [ints('strides', [2, 1, 2]), ints('pads', [0, 1, 1, 0, 1, 0])] },
  },
];
