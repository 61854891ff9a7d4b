import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { activationBytes } from '../../../server/src/core/inference/activationBytes';
import { GraphBuilder } from '../../../server/src/core/onnx';

describe('activationBytes', () => {
  test('every tensor of one sample, counted by hand: input, convolution, ReLU, max-pool', async () => {
    const g = new GraphBuilder('acts');
    const x = g.input('x', ['N', 1, 4, 6]);
    const c = g.conv(x, { weights: [1, -1, 2], shape: [3, 1, 1, 1], bias: [0, 0, 0] });
    const r = g.relu(c);
    g.output(g.maxPool(r, 2, { strides: [2, 2], pads: [0, 0, 0, 0] }));
    // float32: input 1·4·6 = 24, conv 3·4·6 = 72, relu 72, pool 3·2·3 = 18 → 186 values × 4 bytes.
    const bytes = await activationBytes(g.build(), { size: [4, 6], layout: 'NCHW', channels: 1, normalize: { kind: 'unit' } });
    assert.equal(bytes, 186 * 4);
  });
});
