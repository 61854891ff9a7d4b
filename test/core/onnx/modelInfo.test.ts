import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { InputError } from '../../../server/src/core/findings';
import { describeModel, formatTensorType, GraphBuilder, parseModelInfo, readModelInfo } from '../../../server/src/core/onnx';

const fixtures = join(__dirname, '..', '..', 'fixtures', 'onnx');
const torchUnet = join(fixtures, 'tiny_unet.onnx');
const torchMeta = JSON.parse(readFileSync(join(fixtures, 'tiny_unet.json'), 'utf8'));
const tmp = mkdtempSync(join(tmpdir(), 'medseg-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('readModelInfo', () => {
  test('reads a PyTorch export: dims with the symbolic batch, opset, ir_version, producer, parameters', async () => {
    const info = await readModelInfo(torchUnet);
    assert.deepEqual(info.inputs, [{ name: 'image', elementType: 'float32', dims: ['N', 3, 32, 32] }]);
    assert.deepEqual(info.outputs, [{ name: 'logits', elementType: 'float32', dims: ['N', 2, 32, 32] }]);
    assert.equal(info.opset, torchMeta.onnx_opset);
    assert.equal(info.irVersion, torchMeta.onnx_ir_version);
    assert.equal(info.producer, torchMeta.onnx_producer);
    assert.equal(info.parameterCount, torchMeta.onnx_initializer_values);
    assert.equal(info.byteLength, torchMeta.onnx_bytes);
    assert.ok(info.nodeCount > 10);
    assert.equal(formatTensorType(info.inputs[0]), 'float32[N,3,32,32]');
    const text = describeModel(info);
    assert.match(text, /input `image`: `float32\[N,3,32,32\]`/);
    assert.match(text, /opset 17, ir_version 8, from pytorch/);
    assert.match(text, /7\.2k parameters/);
  });

  test('bytes and path give the same answer; unknown shapes and unnamed dims are marked', async () => {
    const g = new GraphBuilder();
    const x = g.input('x', [1, 'C', 4, 4]);
    g.output(g.relu(x));
    const bytes = g.build();
    const info = parseModelInfo(bytes);
    assert.deepEqual(info.inputs[0].dims, [1, 'C', 4, 4]);
    assert.equal(info.outputs[0].dims, undefined, 'an output declared by name only has no shape');
    const path = join(tmp, 'relu.onnx');
    writeFileSync(path, bytes);
    assert.deepEqual(await readModelInfo(path), info);
  });

  test('a truncated .onnx gives an InputError naming the file, not a protobuf stack', async () => {
    const bytes = readFileSync(torchUnet);
    const path = join(tmp, 'truncated.onnx');
    writeFileSync(path, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await assert.rejects(readModelInfo(path), (err: unknown) => {
      assert.ok(err instanceof InputError);
      assert.equal(err.file, path);
      assert.equal(err.code, 'model/unreadable');
      assert.match(err.message, new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is not a readable ONNX model`));
      assert.match(err.message, /truncated/);
      assert.doesNotMatch(err.message, /RangeError|at .*\.js/);
      return true;
    });
  });

  test('empty, missing and non-ONNX files are InputErrors with a fix', async () => {
    const empty = join(tmp, 'empty.onnx');
    writeFileSync(empty, '');
    await assert.rejects(readModelInfo(empty), { name: 'InputError', code: 'model/unreadable', message: /is empty/ });
    const missing = join(tmp, 'nope.onnx');
    await assert.rejects(readModelInfo(missing), { name: 'InputError', code: 'model/missing-file', file: missing, message: /does not exist/ });
    const text = join(tmp, 'notes.onnx');
    writeFileSync(text, 'this is a text file, not a model\n');
    await assert.rejects(readModelInfo(text), { name: 'InputError', code: 'model/unreadable', file: text });
  });
});
