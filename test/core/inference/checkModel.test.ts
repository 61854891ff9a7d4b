import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkModelAgainstConfig, resolveGraphInput } from '../../../server/src/core/inference';
import type { ModelInfo, TensorDim } from '../../../server/src/core/onnx';
import { parseModelInfo } from '../../../server/src/core/onnx';
import { linearModel, modelConfig } from './support';

function info(input: TensorDim[] | undefined, output: TensorDim[] | undefined, extra: Partial<ModelInfo> = {}): ModelInfo {
  return {
    inputs: [{ name: 'input', elementType: 'float32', ...(input ? { dims: input } : {}) }],
    outputs: [{ name: 'output', elementType: 'float32', ...(output ? { dims: output } : {}) }],
    irVersion: 8,
    opset: 17,
    opsets: { '': 17 },
    producer: 'test',
    producerVersion: '',
    parameterCount: 0,
    nodeCount: 1,
    byteLength: 100,
    ...extra,
  };
}

const codes = (fs: { code: string }[]) => fs.map((f) => f.code).sort();

describe('checkModelAgainstConfig', () => {
  test('a [1,3,64,64] graph vs size [128,128] and channels 1: findings naming both, plus the fixed batch', () => {
    // Built and read back, so the check sees what readModelInfo gives for a real file.
    const bytes = linearModel(3, [1, 3, 64, 64], [1, 1, 1], 0);
    const model = modelConfig({ size: [128, 128], channels: 1 }, {}, { index: 2, name: 'unet' });
    const findings = checkModelAgainstConfig(parseModelInfo(bytes), model, '/exp/a.medseg.yaml');
    assert.deepEqual(codes(findings), ['model/channels-mismatch', 'model/fixed-batch', 'model/size-mismatch']);
    const size = findings.find((f) => f.code === 'model/size-mismatch')!;
    assert.equal(size.severity, 'error');
    assert.deepEqual(size.configPath, ['models', 2, 'input', 'size']);
    assert.deepEqual(size.location, { file: '/exp/a.medseg.yaml' });
    assert.match(size.message, /^Model `unet`: graph input `x` is `float32\[1,3,64,64\]`/);
    assert.match(size.message, /64×64/);
    assert.match(size.message, /`size: \[128, 128\]`/);
    assert.match(size.message, /Set `size: \[64, 64\]`/);
    assert.deepEqual(size.fix, { replacement: [64, 64] });
    const channels = findings.find((f) => f.code === 'model/channels-mismatch')!;
    assert.deepEqual(channels.configPath, ['models', 2, 'input', 'channels']);
    assert.match(channels.message, /takes 3 channel\(s\)/);
    assert.match(channels.message, /the config says `channels: 1`\. Set `channels: 3`/);
    const batch = findings.find((f) => f.code === 'model/fixed-batch')!;
    assert.equal(batch.severity, 'info');
    assert.deepEqual(batch.configPath, ['models', 2, 'input']);
  });

  test('a matching config gives nothing; a dynamic batch is not noted', () => {
    const model = modelConfig({ size: [64, 64], channels: 3 }, { activation: 'sigmoid' });
    assert.deepEqual(checkModelAgainstConfig(info(['N', 3, 64, 64], ['N', 1, 64, 64]), model), []);
  });

  test('channels-last graph with layout NCHW: a layout finding, then the checks in the graph’s layout', () => {
    const model = modelConfig({ size: [256, 256], channels: 3, layout: 'NCHW' });
    const findings = checkModelAgainstConfig(info(['N', 128, 128, 3], ['N', 128, 128, 1]), model);
    assert.deepEqual(codes(findings), ['model/layout-mismatch', 'model/size-mismatch']);
    const layout = findings[0];
    assert.deepEqual(layout.configPath, ['models', 0, 'input', 'layout']);
    assert.match(layout.message, /which is NHWC \(channels last\); the config says `layout: NCHW`\. Set `layout: NHWC`/);
    assert.deepEqual(layout.fix, { replacement: 'NHWC' });
  });

  test('dynamic H and W need a size in the config; with one, they are fine', () => {
    const dynamic = info(['N', 1, 'H', 'W'], ['N', 1, 'H', 'W']);
    const without = checkModelAgainstConfig(dynamic, modelConfig({ size: undefined }));
    assert.deepEqual(codes(without), ['model/size-unknown']);
    assert.match(without[0].message, /Add `size: \[H, W\]`/);
    assert.deepEqual(checkModelAgainstConfig(dynamic, modelConfig({ size: [96, 96] })), []);
    assert.deepEqual(resolveGraphInput(dynamic, modelConfig({ size: [96, 96] })), { layout: 'NCHW', fixedBatch: undefined, size: [96, 96] });
    assert.deepEqual(resolveGraphInput(info([4, 1, 32, 48], undefined), modelConfig()).size, [32, 48]);
  });

  test('output: channel out of range, softmax over one channel, rank', () => {
    const two = info(['N', 1, 8, 8], ['N', 2, 8, 8]);
    const bad = checkModelAgainstConfig(two, modelConfig({}, { activation: 'softmax', channel: 2 }));
    assert.deepEqual(codes(bad), ['model/output-channel']);
    assert.deepEqual(bad[0].configPath, ['models', 0, 'output', 'channel']);
    assert.match(bad[0].message, /has 2 channels \(NCHW\), so `channel: 2` is out of range\. Use a channel from 0 to 1/);
    assert.deepEqual(checkModelAgainstConfig(two, modelConfig({}, { activation: 'softmax', channel: 1 })), []);
    // One channel: the configured channel is ignored, softmax is pointless.
    const one = info(['N', 1, 8, 8], ['N', 1, 8, 8]);
    assert.deepEqual(checkModelAgainstConfig(one, modelConfig({}, { channel: 1 })), []);
    assert.deepEqual(codes(checkModelAgainstConfig(one, modelConfig({}, { activation: 'softmax' }))), ['model/softmax-one-channel']);
    assert.deepEqual(codes(checkModelAgainstConfig(info(['N', 1, 8, 8], ['N', 64]), modelConfig())), ['model/output-rank']);
    const rank3 = checkModelAgainstConfig(info(['N', 1, 8, 8], ['N', 8, 8]), modelConfig());
    assert.deepEqual(rank3.map((f) => [f.code, f.severity]), [['model/output-rank', 'info']]);
  });

  test('input type, rank and count; unsupported channel counts; versions onnxruntime cannot load', () => {
    const int8 = info(['N', 3, 8, 8], undefined);
    int8.inputs[0].elementType = 'uint8';
    assert.deepEqual(codes(checkModelAgainstConfig(int8, modelConfig({ channels: 3 }))), ['model/input-type']);
    assert.deepEqual(codes(checkModelAgainstConfig(info(['N', 8, 8], undefined), modelConfig())), ['model/input-rank']);
    const two = info(['N', 1, 8, 8], undefined);
    two.inputs.push({ name: 'mask', elementType: 'float32', dims: ['N', 1, 8, 8] });
    assert.deepEqual(codes(checkModelAgainstConfig(two, modelConfig())), ['model/multiple-inputs']);
    assert.deepEqual(codes(checkModelAgainstConfig(info(['N', 4, 8, 8], undefined), modelConfig({ channels: 3 }))), ['model/channels-unsupported']);
    const future = info(['N', 1, 8, 8], undefined, { irVersion: 14, opset: 30 });
    assert.deepEqual(codes(checkModelAgainstConfig(future, modelConfig())), ['model/ir-unsupported', 'model/opset-unsupported']);
  });

  test('a fixed batch above 1 is a warning (batches are padded)', () => {
    const f = checkModelAgainstConfig(info([4, 1, 8, 8], undefined), modelConfig());
    assert.deepEqual(f.map((x) => [x.code, x.severity]), [['model/fixed-batch', 'warning']]);
    assert.match(f[0].message, /batches of 4/);
  });
});
