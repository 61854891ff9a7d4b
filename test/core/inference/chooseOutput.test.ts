// Which graph output is the segmentation (issue 13, item 3): named, the only one, the one at the
// input's height and width (with a warning), or refused with the outputs listed.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { checkModelAgainstConfig, chooseOutput, ModelRunner } from '../../../server/src/core/inference';
import { GraphBuilder, parseModelInfo, type DimSpec, type ModelInfo, type TensorDim } from '../../../server/src/core/onnx';
import { image, modelConfig, runtime } from './support';

function info(input: TensorDim[], outputs: [string, TensorDim[] | undefined][]): ModelInfo {
  return {
    inputs: [{ name: 'x', elementType: 'float32', dims: input }],
    outputs: outputs.map(([name, dims]) => ({ name, elementType: 'float32', ...(dims ? { dims } : {}) })),
    irVersion: 8,
    opset: 17,
    opsets: { '': 17 },
    producer: 'test',
    producerVersion: '',
    parameterCount: 0,
    nodeCount: 1,
    byteLength: 100,
  };
}

/**
 * A deep-supervision export: `aux` (listed first) is a half-resolution head whose logits are the
 * negated segmentation's, `seg` the full-resolution logits 20·x − 10 (foreground where x > 0.5).
 */
function twoHeadModel(dims: DimSpec[], auxAtFullSize = false): Uint8Array {
  const g = new GraphBuilder('deep-supervision');
  const x = g.input('x', dims);
  const seg = g.conv(x, { weights: [20], shape: [1, 1, 1, 1], bias: [-10], name: 'seg' });
  const negated = g.neg(seg);
  const aux = auxAtFullSize ? g.mul(negated, 1, 'aux') : g.maxPool(negated, 2, { strides: [2, 2], pads: [0, 0, 0, 0], name: 'aux' });
  const [n, , h, w] = dims;
  g.output(aux, auxAtFullSize ? [n, 1, h, w] : [n, 1, typeof h === 'number' ? h / 2 : '?', typeof w === 'number' ? w / 2 : '?']);
  g.output(seg, [n, 1, h, w]);
  return g.build();
}

const tmp = mkdtempSync(join(tmpdir(), 'medseg-outputs-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('chooseOutput', () => {
  test('one output: it, without a word', () => {
    assert.deepEqual(chooseOutput(info(['N', 3, 64, 64], [['y', ['N', 1, 64, 64]]]), modelConfig()), { choice: { index: 0, name: 'y', how: 'only' } });
  });

  test('an auxiliary head first: the output at the input size is chosen, with a warning listing both', () => {
    const model = modelConfig({}, {}, { name: 'unet', index: 1 });
    const { choice, problem } = chooseOutput(info(['N', 3, 64, 64], [['aux', ['N', 1, 32, 32]], ['seg', ['N', 1, 64, 64]]]), model);
    assert.deepEqual(choice, { index: 1, name: 'seg', how: 'shape' });
    assert.equal(problem?.severity, 'warning');
    assert.equal(problem?.code, 'model/multiple-outputs');
    assert.deepEqual(problem?.configPath, ['models', 1, 'path']);
    assert.match(problem!.message, /2 outputs \(`aux` float32\[N,1,32,32\], `seg` float32\[N,1,64,64\]\); `seg` is used.*`output: \{ name: seg \}`/);
  });

  test('dynamic sizes match by axis name; NHWC and the configured size are honoured', () => {
    const dyn = info(['N', 3, 'H', 'W'], [['aux', ['N', 1, 'H2', 'W2']], ['seg', ['N', 1, 'H', 'W']]]);
    assert.equal(chooseOutput(dyn, modelConfig()).choice?.name, 'seg');
    const nhwc = info(['N', 64, 64, 3], [['seg', ['N', 64, 64, 2]], ['aux', ['N', 16, 16, 2]]]);
    assert.equal(chooseOutput(nhwc, modelConfig({ layout: 'NHWC' })).choice?.name, 'seg');
    const sized = info(['N', 3, 'H', 'W'], [['aux', ['N', 1, 64, 64]], ['seg', ['N', 1, 128, 128]]]);
    assert.equal(chooseOutput(sized, modelConfig({ size: [128, 128] })).choice?.name, 'seg');
  });

  test('two outputs at the input size, or none: refused, naming them', () => {
    const both = chooseOutput(info(['N', 3, 64, 64], [['a', ['N', 1, 64, 64]], ['b', ['N', 2, 64, 64]]]), modelConfig());
    assert.equal(both.choice, undefined);
    assert.equal(both.problem?.severity, 'error');
    assert.match(both.problem!.message, /2 are at the input's height and width \(`a`, `b`\).*`output: \{ name: \.\.\. \}`/);
    const none = chooseOutput(info(['N', 3, 64, 64], [['a', ['N', 1, 32, 32]], ['b', undefined]]), modelConfig());
    assert.equal(none.problem?.code, 'model/multiple-outputs');
    assert.match(none.problem!.message, /none is at the input's height and width/);
  });

  test('a named output: used as named; a name the graph lacks is an error with the outputs and a suggestion', () => {
    const graph = info(['N', 3, 64, 64], [['aux', ['N', 1, 32, 32]], ['seg', ['N', 1, 64, 64]]]);
    assert.deepEqual(chooseOutput(graph, modelConfig({}, { name: 'aux' })).choice, { index: 0, name: 'aux', how: 'named' });
    const wrong = chooseOutput(graph, modelConfig({}, { name: 'segm' }, { index: 2 }));
    assert.equal(wrong.choice, undefined);
    assert.deepEqual([wrong.problem?.severity, wrong.problem?.code, wrong.problem?.configPath, wrong.problem?.fix], ['error', 'model/output-not-found', ['models', 2, 'output', 'name'], { replacement: 'seg' }]);
    assert.match(wrong.problem!.message, /its outputs are `aux` float32\[N,1,32,32\], `seg` float32\[N,1,64,64\]/);
  });

  test('checkModelAgainstConfig checks the chosen output, not the first', () => {
    // The first output has 3 channels, the chosen one 2: `channel: 1` is fine for the chosen one.
    const graph = info(['N', 3, 64, 64], [['aux', ['N', 3, 16, 16]], ['seg', ['N', 2, 64, 64]]]);
    const findings = checkModelAgainstConfig(graph, modelConfig({ channels: 3 }, { activation: 'softmax', channel: 1 }));
    assert.deepEqual(findings.map((f) => [f.code, f.severity]), [['model/multiple-outputs', 'warning']]);
  });
});

describe('ModelRunner with an auxiliary head listed first', () => {
  // x = v/255 on a 4×2 grey image: left half 255 (x = 1, logit 10), right half 0 (logit −10).
  const img = image(4, 2, 1, Uint8Array.from([255, 255, 0, 0, 255, 255, 0, 0]));

  test('unnamed: reads `seg` (the output at the input size), so the mask is the left half', async () => {
    const path = join(tmp, 'deep.onnx');
    writeFileSync(path, twoHeadModel(['N', 1, 2, 4]));
    assert.deepEqual(parseModelInfo(twoHeadModel(['N', 1, 2, 4])).outputs.map((o) => o.name), ['aux', 'seg']);
    const runner = await ModelRunner.create(modelConfig({ size: [2, 4] }, {}, { path }), runtime);
    try {
      assert.equal(runner.outputName, 'seg');
      assert.deepEqual(runner.warnings.map((w) => w.code), ['model/multiple-outputs']);
      const { mask } = await runner.predict(img);
      assert.deepEqual([...mask], [1, 1, 0, 0, 1, 1, 0, 0]);
    } finally {
      await runner.dispose();
    }
  });

  test('named `aux`: the auxiliary head as asked (negated, half size resized back), no warning', async () => {
    const path = join(tmp, 'deep-named.onnx');
    writeFileSync(path, twoHeadModel(['N', 1, 2, 4]));
    const runner = await ModelRunner.create(modelConfig({ size: [2, 4] }, { name: 'aux' }, { path }), runtime);
    try {
      assert.deepEqual([runner.outputName, runner.warnings], ['aux', []]);
      // aux = maxpool₂(−logits) = [−(−10)·…]: left 2×2 block max(−10) = −10, right block 10 → p at 1×2, resized to 2×4.
      const { mask } = await runner.predict(img);
      assert.deepEqual([...mask], [0, 0, 1, 1, 0, 0, 1, 1]);
    } finally {
      await runner.dispose();
    }
  });

  test('both heads at the input size and none named: the runner refuses the model', async () => {
    const path = join(tmp, 'ambiguous.onnx');
    writeFileSync(path, twoHeadModel(['N', 1, 2, 4], true));
    await assert.rejects(ModelRunner.create(modelConfig({ size: [2, 4] }, {}, { path }), runtime), { name: 'InputError', code: 'model/multiple-outputs' });
  });
});
