import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { onnx } from 'onnx-proto';
import { analyzeGraph, cutGraph, decodeModel, encodeModel, exposeTensors } from '../../../server/src/core/explain';
import { InputError } from '../../../server/src/core/findings';
import { GraphBuilder } from '../../../server/src/core/onnx';
import { buildUNet, randomArray, shuffleNodes } from './support';

const SIZE = 16;
const open = (bytes: Uint8Array) => ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], graphOptimizationLevel: 'all', intraOpNumThreads: 1 });

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Full model with the cut tensor and the tail's feeds exposed, then the tail alone on them. */
async function headThenTail(bytes: Uint8Array, at: string, input: Record<string, ort.Tensor>): Promise<{ full: ort.Tensor; viaTail: ort.Tensor; feeds: string[] }> {
  const model = decodeModel(bytes);
  const cut = cutGraph(model, at);
  const inputs = new Set(Object.keys(input));
  const head = await open(encodeModel(exposeTensors(model, [at, ...cut.feeds.filter((f) => !inputs.has(f))])));
  const tail = await open(encodeModel(cut.model));
  try {
    const out = await head.run(input);
    const feeds: Record<string, ort.Tensor> = { [at]: out[at] as ort.Tensor };
    for (const f of cut.feeds) feeds[f] = (input[f] ?? out[f]) as ort.Tensor;
    const t = await tail.run(feeds);
    return { full: out[head.outputNames[0]] as ort.Tensor, viaTail: t[tail.outputNames[0]] as ort.Tensor, feeds: cut.feeds };
  } finally {
    await Promise.all([head.release(), tail.release()]);
  }
}

describe('graph topology', () => {
  test('the order puts every node after the producers of its inputs, whatever the order in the file', () => {
    const bytes = shuffleNodes(buildUNet({ inChannels: 1, channels: [4, 8, 16], size: SIZE, seed: 1 }).bytes, 11);
    const graph = onnx.ModelProto.decode(bytes).graph!;
    const topo = analyzeGraph(graph);
    const position = new Map(topo.order.map((node, k) => [node, k]));
    assert.equal(topo.order.length, graph.node!.length);
    // The shuffled file really is out of order, so the test means something.
    const fileOrderOk = graph.node!.every((n, i) => (n.input ?? []).every((x) => (topo.producer.get(x) ?? -1) < i));
    assert.equal(fileOrderOk, false);
    topo.order.forEach((i) => {
      for (const x of topo.inputsOf[i]) {
        const p = topo.producer.get(x);
        if (p !== undefined) assert.ok(position.get(p)! < position.get(i)!, `${graph.node![i].name} runs before the producer of ${x}`);
      }
    });
    // depth: the first conv reads only the input; the output's Identity is the longest chain.
    const conv0 = topo.producer.get(graph.node!.find((n) => n.opType === 'Conv' && n.input![0] === 'image')!.output![0])!;
    assert.equal(topo.depth[conv0], 1);
    // 3 levels down (2 conv+relu each = 4 nodes, 2 pools) + 2 levels up (resize, concat, conv, relu) + 1×1 conv + Identity.
    assert.equal(topo.depth[topo.producer.get('logits')!], 3 * 4 + 2 + 2 * 4 + 2);
  });
});

describe('cutGraph', () => {
  let unet: Uint8Array;
  before(() => {
    unet = shuffleNodes(buildUNet({ inChannels: 1, channels: [4, 8, 16], size: SIZE, seed: 2 }).bytes, 3);
  });

  test('cutting a shuffled U-Net at its bottleneck: skips become inputs and the tail reproduces the output exactly', async () => {
    const x = new ort.Tensor('float32', randomArray(SIZE * SIZE, 5), [1, 1, SIZE, SIZE]);
    const { full, viaTail, feeds } = await headThenTail(unet, 'bottleneck', { image: x });
    assert.deepEqual(feeds, ['skip0', 'skip1']);
    assert.deepEqual([...viaTail.dims], [1, 1, SIZE, SIZE]);
    assert.equal(maxDiff(full.data as Float32Array, viaTail.data as Float32Array), 0);
  });

  test('the tail keeps only the nodes downstream of the cut and the weights they use', () => {
    const model = decodeModel(unet);
    const cut = cutGraph(model, 'bottleneck');
    // Decoder: two levels of (Resize, Concat, Conv, Relu), the 1×1 Conv and the Identity.
    assert.equal(cut.nodeCount, 2 * 4 + 2);
    const ops = cut.model.graph!.node!.map((n) => n.opType).sort();
    assert.deepEqual(ops, ['Concat', 'Concat', 'Conv', 'Conv', 'Conv', 'Identity', 'Relu', 'Relu', 'Resize', 'Resize']);
    const used = new Set(cut.model.graph!.node!.flatMap((n) => n.input ?? []));
    for (const t of cut.model.graph!.initializer!) assert.ok(used.has(t.name!), `unused initializer ${t.name}`);
    assert.deepEqual(cut.model.graph!.input!.map((v) => v.name), ['bottleneck', 'skip0', 'skip1']);
  });

  test('a batch of tails: tiled feeds give each sample the output of its own activation', async () => {
    const model = decodeModel(unet);
    const cut = cutGraph(model, 'bottleneck');
    const head = await open(encodeModel(exposeTensors(model, ['bottleneck', ...cut.feeds])));
    const tail = await open(encodeModel(cut.model));
    try {
      const out = await head.run({ image: new ort.Tensor('float32', randomArray(SIZE * SIZE, 6), [1, 1, SIZE, SIZE]) });
      const a = out.bottleneck as ort.Tensor;
      const scaled = [1, 0.5, 2].map((s) => (a.data as Float32Array).map((v) => v * s));
      const batch = new Float32Array(3 * a.data.length);
      scaled.forEach((s, k) => batch.set(s, k * a.data.length));
      const tile = (t: ort.Tensor) => {
        const d = new Float32Array(3 * t.data.length);
        for (let k = 0; k < 3; k++) d.set(t.data as Float32Array, k * t.data.length);
        return new ort.Tensor('float32', d, [3, ...t.dims.slice(1)]);
      };
      const batched = await tail.run({ bottleneck: new ort.Tensor('float32', batch, [3, ...a.dims.slice(1)]), skip0: tile(out.skip0 as ort.Tensor), skip1: tile(out.skip1 as ort.Tensor) });
      const all = batched.logits.data as Float32Array;
      const n = SIZE * SIZE;
      for (let k = 0; k < 3; k++) {
        const one = await tail.run({ bottleneck: new ort.Tensor('float32', scaled[k], a.dims), skip0: out.skip0, skip1: out.skip1 });
        assert.ok(maxDiff(all.subarray(k * n, (k + 1) * n), one.logits.data as Float32Array) <= 1e-6, `sample ${k}`);
      }
    } finally {
      await Promise.all([head.release(), tail.release()]);
    }
  });

  test('a tail that reads the graph input and a Constant node: the input becomes a feed, the Constant stays inside', async () => {
    // y = conv(relu(conv(x))) · c + x, with c from a Constant node (input-independent).
    const g = new GraphBuilder('residual');
    const x = g.input('x', ['N', 2, 6, 6]);
    const h = g.relu(g.conv(x, { weights: randomArray(2 * 2 * 9, 1, 0.4), shape: [2, 2, 3, 3] }), 'hidden');
    const y = g.conv(h, { weights: randomArray(2 * 2 * 9, 2, 0.4), shape: [2, 2, 3, 3] });
    const c = g.node('Constant', [], 'c', [{ name: 'value', type: onnx.AttributeProto.AttributeType.TENSOR, t: { name: 'cv', dims: [1], dataType: 1, floatData: [0.75] } }]);
    g.output(g.add(g.mul(y, c), x, 'y'));
    const bytes = g.build();
    const model = decodeModel(bytes);
    const cut = cutGraph(model, 'hidden');
    assert.deepEqual(cut.feeds, ['x']);
    assert.ok(cut.model.graph!.node!.some((n) => n.opType === 'Constant'));
    const input = new ort.Tensor('float32', randomArray(72, 3), [1, 2, 6, 6]);
    const { full, viaTail } = await headThenTail(bytes, 'hidden', { x: input });
    assert.equal(maxDiff(full.data as Float32Array, viaTail.data as Float32Array), 0);
  });

  test('exposeTensors adds outputs once, in the order asked', () => {
    const model = decodeModel(unet);
    const exposed = exposeTensors(model, ['skip1', 'bottleneck', 'skip1', 'logits']);
    assert.deepEqual(exposed.graph!.output!.map((o) => o.name), ['logits', 'skip1', 'bottleneck']);
    // The original is untouched.
    assert.deepEqual(model.graph!.output!.map((o) => o.name), ['logits']);
  });

  test('names that cannot be cut are InputErrors with codes, not crashes', () => {
    const model = decodeModel(unet);
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        assert.ok(err instanceof InputError, String(err));
        return err.code;
      }
      return 'no error';
    };
    assert.equal(code(() => cutGraph(model, 'nope', { file: 'u.onnx' })), 'explain/unknown-tensor');
    assert.equal(code(() => exposeTensors(model, ['nope'])), 'explain/unknown-tensor');
    assert.equal(code(() => cutGraph(model, 'image')), 'explain/not-cuttable');
    assert.equal(code(() => cutGraph(model, model.graph!.initializer![0].name!)), 'explain/not-cuttable');
    assert.equal(code(() => cutGraph(model, 'logits')), 'explain/not-cuttable');
  });
});

describe('exposeTensors on a real session', () => {
  let bytes: Uint8Array;
  before(() => {
    bytes = buildUNet({ inChannels: 1, channels: [2, 4], size: 8, seed: 4 }).bytes;
  });
  test('an exposed tensor is returned with its shape; the first output is unchanged', async () => {
    const plain = await open(bytes);
    const exposed = await open(encodeModel(exposeTensors(decodeModel(bytes), ['bottleneck'])));
    try {
      const x = new ort.Tensor('float32', randomArray(64, 9), [1, 1, 8, 8]);
      const a = await plain.run({ image: x });
      const b = await exposed.run({ image: x });
      assert.deepEqual([...(b.bottleneck as ort.Tensor).dims], [1, 4, 4, 4]);
      assert.equal(maxDiff(a.logits.data as Float32Array, b.logits.data as Float32Array), 0);
    } finally {
      await Promise.all([plain.release(), exposed.release()]);
    }
  });
});
