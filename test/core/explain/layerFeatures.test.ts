import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ModelConfig } from '../../../server/src/core/config/types';
import { decodeModel } from '../../../server/src/core/explain/graphSurgery';
import { analyzeGraph } from '../../../server/src/core/explain/graphTopology';
import { headGraph, LayerFeatures } from '../../../server/src/core/explain/layerFeatures';
import { GraphBuilder } from '../../../server/src/core/onnx';

/** x → conv(1→2, 1×1: 2x + 1 and −x) → relu ("feat") → conv(2→1) → sigmoid: known pooled features. */
function model(): Uint8Array {
  const g = new GraphBuilder('tiny');
  const x = g.input('image', ['N', 1, 4, 4]);
  const c1 = g.conv(x, { weights: [2, -1], shape: [2, 1, 1, 1], bias: [1, 0] });
  const feat = g.relu(c1, 'feat');
  const c2 = g.conv(feat, { weights: [1, 1], shape: [1, 2, 1, 1], bias: [0] });
  g.output(g.sigmoid(c2, 'prob'), ['N', 1, 4, 4]);
  return g.build();
}

const config: ModelConfig = {
  name: 'tiny',
  path: 'tiny.onnx',
  family: 'test',
  index: 0,
  input: { size: [4, 4], layout: 'NCHW', channels: 1, normalize: { kind: 'explicit', mean: [0], std: [1] } },
  output: { activation: 'sigmoid', channel: 0, threshold: 0.5 },
};

test('the head graph holds only what the layer needs, with the layer as its one output', () => {
  const proto = decodeModel(model());
  const head = headGraph(proto, analyzeGraph(proto.graph!), 'feat');
  assert.deepEqual(head.graph!.node!.map((n) => n.opType), ['Conv', 'Relu']);
  assert.deepEqual(head.graph!.output!.map((o) => o.name), ['feat']);
  assert.deepEqual(head.graph!.input!.map((i) => i.name), ['image']);
  assert.equal(head.graph!.initializer!.length, 2, 'the first conv’s weight and bias only');
});

test('pooled features by hand, in batches and one by one alike', async () => {
  const lf = await LayerFeatures.create(config, model(), { provider: 'cpu', batch: 2, threads: 1 } as never, 'feat');
  try {
    // Image k: pixel i = (i − 8) · (k + 1) / 8. Channel 0: mean relu(2x + 1); channel 1: mean relu(−x).
    const images = [0, 1, 2].map((k) => Float32Array.from({ length: 16 }, (_, i) => ((i - 8) * (k + 1)) / 8));
    const want = images.map((x) => [x.reduce((s, v) => s + Math.max(0, 2 * v + 1), 0) / 16, x.reduce((s, v) => s + Math.max(0, -v), 0) / 16]);
    const batched = await lf.pooledBatch(images);
    assert.equal(batched.length, 3);
    for (let k = 0; k < 3; k++) {
      assert.ok(Math.abs(batched[k][0] - want[k][0]) < 1e-6 && Math.abs(batched[k][1] - want[k][1]) < 1e-6, `image ${k}: ${[...batched[k]]} vs ${want[k]}`);
      assert.deepEqual([...(await lf.pooledBatch([images[k]]))[0]], [...batched[k]]);
    }
  } finally {
    await lf.dispose();
  }
});
