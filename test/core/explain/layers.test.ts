import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chooseAutoLayer, ModelExplainer, type LayerCandidate } from '../../../server/src/core/explain';
import { GraphBuilder } from '../../../server/src/core/onnx';
import { buildUNet, modelConfig, randomArray } from './support';

const runtime = { provider: 'cpu' as const, batch: 2, threads: 1 };

describe('layer auto', () => {
  test('a U-Net: the bottleneck’s last ReLU (smallest size, most channels, deepest)', async () => {
    const { bytes } = buildUNet({ inChannels: 1, channels: [4, 8, 16], size: 16, seed: 1 });
    const explainer = await ModelExplainer.create(modelConfig('u', 'u.onnx', 16), bytes, runtime);
    try {
      assert.equal(explainer.layer.name, 'bottleneck');
      assert.equal(explainer.layer.rule, 'auto');
      assert.deepEqual([explainer.layer.op, explainer.layer.channels, explainer.layer.height, explainer.layer.width], ['Relu', 16, 4, 4]);
      const names = explainer.candidates!.map((c) => c.name);
      assert.ok(names.includes('skip0') && names.includes('skip1'));
      assert.ok(!names.includes('logits'), 'the output is not a candidate');
      // Sorted by depth.
      const depths = explainer.candidates!.map((c) => c.depth);
      assert.deepEqual(depths, [...depths].sort((a, b) => a - b));
    } finally {
      await explainer.dispose();
    }
  });

  test('a network that never downsamples: the widest late map; a dead branch and the output are not candidates', async () => {
    const g = new GraphBuilder('flat');
    const x = g.input('x', ['N', 1, 8, 8]);
    const r1 = g.relu(g.conv(x, { weights: randomArray(2 * 9, 1), shape: [2, 1, 3, 3], name: 'c1' }), 'r1');
    const c2 = g.conv(r1, { weights: randomArray(4 * 2 * 9, 2), shape: [4, 2, 3, 3], name: 'c2' });
    const r2 = g.relu(c2, 'r2');
    g.relu(g.conv(x, { weights: randomArray(8 * 9, 3), shape: [8, 1, 3, 3] }), 'dead');
    g.output(g.conv(r2, { weights: randomArray(4, 4), shape: [1, 4, 1, 1], name: 'out' }));
    const explainer = await ModelExplainer.create(modelConfig('flat', 'flat.onnx', 8), g.build(), runtime);
    try {
      assert.equal(explainer.layer.name, 'r2');
      const names = explainer.candidates!.map((c) => c.name).sort();
      assert.deepEqual(names, ['c1', 'c2', 'r1', 'r2']);
      assert.ok(!names.includes('dead') && !names.includes('out'));
    } finally {
      await explainer.dispose();
    }
  });

  test('a named layer is used as is; a name that is not a feature map is an InputError', async () => {
    const { bytes } = buildUNet({ inChannels: 1, channels: [4, 8], size: 8, seed: 2 });
    const named = await ModelExplainer.create(modelConfig('u', 'u.onnx', 8), bytes, runtime, { layer: 'skip0' });
    try {
      assert.deepEqual([named.layer.name, named.layer.rule, named.layer.channels, named.layer.height], ['skip0', 'config', 4, 8]);
      assert.equal(named.candidates, undefined);
    } finally {
      await named.dispose();
    }
    await assert.rejects(ModelExplainer.create(modelConfig('u', 'u.onnx', 8), bytes, runtime, { layer: 'no_such_tensor' }), (err: Error & { code?: string }) => err.code === 'explain/unknown-tensor');
    await assert.rejects(ModelExplainer.create(modelConfig('u', 'u.onnx', 8), bytes, runtime, { layer: 'image' }), (err: Error & { code?: string }) => err.code === 'explain/not-cuttable');
  });

  test('chooseAutoLayer: area first, then channels, then depth, then name', () => {
    const c = (name: string, channels: number, side: number, depth: number): LayerCandidate => ({ name, op: 'Relu', channels, height: side, width: side, depth });
    assert.equal(chooseAutoLayer([c('a', 64, 8, 5), c('b', 32, 4, 3), c('c', 16, 4, 9)])?.name, 'b');
    assert.equal(chooseAutoLayer([c('a', 32, 4, 3), c('b', 32, 4, 7)])?.name, 'b');
    assert.equal(chooseAutoLayer([c('z', 32, 4, 7), c('y', 32, 4, 7)])?.name, 'y');
    assert.equal(chooseAutoLayer([]), undefined);
  });
});
