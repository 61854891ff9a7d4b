import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { onnx } from 'onnx-proto';
import { GraphBuilder, readModelInfo } from '../../../server/src/core/onnx';

/** Runs a one-input model on CPU and returns the first output. */
async function run(bytes: Uint8Array, data: Float32Array, dims: number[]): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
  try {
    const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', data, dims) });
    const t = out[session.outputNames[0]];
    return { data: t.data as Float32Array, dims: t.dims };
  } finally {
    await session.release();
  }
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-5): void {
  assert.equal(actual.length, expected.length, 'length');
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `index ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}

const seq = (n: number, f: (i: number) => number) => Float32Array.from({ length: n }, (_, i) => f(i));

describe('GraphBuilder', () => {
  test('Conv with weights, bias and same padding matches a brute-force convolution', async () => {
    const [C, O, H, W, K] = [2, 2, 4, 5, 3];
    const weights = seq(O * C * K * K, (i) => ((i * 7) % 11) / 10 - 0.5);
    const bias = [0.25, -1];
    const g = new GraphBuilder();
    g.output(g.conv(g.input('x', ['N', C, H, W]), { weights, shape: [O, C, K, K], bias }));
    const x = seq(2 * C * H * W, (i) => ((i * 13) % 17) / 4 - 2);
    const out = await run(g.build(), x, [2, C, H, W]);
    assert.deepEqual([...out.dims], [2, O, H, W]);
    const expected: number[] = [];
    for (let n = 0; n < 2; n++)
      for (let o = 0; o < O; o++)
        for (let y = 0; y < H; y++)
          for (let xx = 0; xx < W; xx++) {
            let s = bias[o];
            for (let c = 0; c < C; c++)
              for (let ky = 0; ky < K; ky++)
                for (let kx = 0; kx < K; kx++) {
                  const sy = y + ky - 1;
                  const sx = xx + kx - 1;
                  if (sy < 0 || sy >= H || sx < 0 || sx >= W) continue;
                  s += weights[((o * C + c) * K + ky) * K + kx] * x[((n * C + c) * H + sy) * W + sx];
                }
            expected.push(s);
          }
    assertClose(out.data, expected);
  });

  test('Relu, Sigmoid, Neg, Add/Sub/Mul/Div with scalars and per-channel constants', async () => {
    const g = new GraphBuilder();
    const x = g.input('x', ['N', 2, 1, 3]);
    // ((relu(x) + [1, 2]) * 2 - 0.5) / 4, then -sigmoid
    const perChannel = { values: [1, 2], dims: [1, 2, 1, 1] };
    const y = g.neg(g.sigmoid(g.div(g.sub(g.mul(g.add(g.relu(x), perChannel), 2), 0.5), 4)));
    g.output(y);
    const input = Float32Array.from([-1, 0, 2, 3, -4, 0.5]);
    const out = await run(g.build(), input, [1, 2, 1, 3]);
    const expected = [...input].map((v, i) => {
      const t = ((Math.max(0, v) + (i < 3 ? 1 : 2)) * 2 - 0.5) / 4;
      return -1 / (1 + Math.exp(-t));
    });
    assertClose(out.data, expected, 1e-6);
  });

  test('MaxPool and AveragePool (padding left out) with same-size output', async () => {
    const x = Float32Array.from([1, 5, 2, 0, 3, 9, 4, 8, 7, 6, 2, 1]); // 3×4
    const maxG = new GraphBuilder();
    maxG.output(maxG.maxPool(maxG.input('x', [1, 1, 3, 4]), 3));
    const avgG = new GraphBuilder();
    avgG.output(avgG.averagePool(avgG.input('x', [1, 1, 3, 4]), 3));
    const maxOut = await run(maxG.build(), x, [1, 1, 3, 4]);
    const avgOut = await run(avgG.build(), x, [1, 1, 3, 4]);
    const at = (y: number, xx: number) => x[y * 4 + xx];
    const expMax: number[] = [];
    const expAvg: number[] = [];
    for (let y = 0; y < 3; y++)
      for (let xx = 0; xx < 4; xx++) {
        const vals: number[] = [];
        for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) if (y + dy >= 0 && y + dy < 3 && xx + dx >= 0 && xx + dx < 4) vals.push(at(y + dy, xx + dx));
        expMax.push(Math.max(...vals));
        expAvg.push(vals.reduce((a, b) => a + b, 0) / vals.length);
      }
    assertClose(maxOut.data, expMax, 0);
    assertClose(avgOut.data, expAvg, 1e-6);
  });

  test('Concat, Softmax over channels, ReduceMean over H and W, Clip', async () => {
    const g = new GraphBuilder();
    const x = g.input('x', [1, 1, 2, 2]);
    const both = g.concat([x, g.mul(x, -1)], 1); // channels: x, -x
    g.output(g.softmax(both, 1), [1, 2, 2, 2]);
    const input = Float32Array.from([0, 1, -2, 0.5]);
    const soft = await run(g.build(), input, [1, 1, 2, 2]);
    const p = [...input].map((v) => Math.exp(v) / (Math.exp(v) + Math.exp(-v)));
    assertClose(soft.data, [...p, ...p.map((q) => 1 - q)], 1e-6);

    const g2 = new GraphBuilder();
    g2.output(g2.clip(g2.reduceMean(g2.input('x', [1, 1, 2, 2]), [2, 3]), -0.1, 0.1));
    const mean = await run(g2.build(), input, [1, 1, 2, 2]);
    assert.deepEqual([...mean.dims], [1, 1, 1, 1]);
    assertClose(mean.data, [-0.1], 1e-7); // mean = -0.125, clipped

    const g3 = new GraphBuilder();
    g3.output(g3.clip(g3.input('x', [4]), 0));
    assertClose((await run(g3.build(), input, [4])).data, [0, 1, 0, 0.5], 0);
  });

  test('Resize (X, "", scales): linear half-pixel and nearest, ×2', async () => {
    const [a, b, c, d] = [1, 3, 5, 11];
    const input = Float32Array.from([a, b, c, d]);
    const g = new GraphBuilder();
    g.output(g.resize(g.input('x', [1, 1, 2, 2]), [1, 1, 2, 2], 'linear'));
    const out = await run(g.build(), input, [1, 1, 2, 2]);
    assert.deepEqual([...out.dims], [1, 1, 4, 4]);
    // Half-pixel ×2 upsampling: weights (1, 0.75/0.25, 0.25/0.75, 1) per axis, edges clamped.
    const row = (p: number, q: number) => [p, 0.75 * p + 0.25 * q, 0.25 * p + 0.75 * q, q];
    const top = row(a, b);
    const bottom = row(c, d);
    const expected = [0, 0.25, 0.75, 1].flatMap((t) => top.map((v, i) => v + (bottom[i] - v) * t));
    assertClose(out.data, expected, 1e-6);

    const gn = new GraphBuilder();
    gn.output(gn.resize(gn.input('x', [1, 1, 2, 2]), [1, 1, 2, 2], 'nearest', 'asymmetric'));
    const nearest = await run(gn.build(), input, [1, 1, 2, 2]);
    assertClose(nearest.data, [a, a, b, b, a, a, b, b, c, c, d, d, c, c, d, d], 0);
  });

  test('the encoded model carries typed attributes, raw little-endian weights, opset 17, ir 8', async () => {
    const g = new GraphBuilder('enc');
    const x = g.input('image', ['N', 3, 8, 8]);
    g.output(g.resize(g.conv(x, { weights: new Float32Array(6).fill(0.5), shape: [2, 3, 1, 1] }), [1, 1, 2, 2]), ['N', 2, 16, 16]);
    const bytes = g.build({ producerName: 'unit-test', producerVersion: '1' });
    const model = onnx.ModelProto.decode(bytes);
    assert.equal(Number(model.irVersion), 8);
    assert.equal(Number(model.opsetImport[0].version), 17);
    const graph = model.graph!;
    const resize = graph.node!.find((n) => n.opType === 'Resize')!;
    const inputs = resize.input!;
    assert.deepEqual(inputs, [inputs[0], '', inputs[2]]);
    const mode = resize.attribute!.find((a) => a.name === 'mode')!;
    assert.equal(mode.type, onnx.AttributeProto.AttributeType.STRING);
    assert.equal(new TextDecoder().decode(mode.s!), 'linear');
    const raw = graph.initializer!.find((t) => t.dims!.length === 4)!.rawData!;
    assert.equal(raw.length, 6 * 4);
    assert.equal(new DataView(raw.buffer, raw.byteOffset).getFloat32(0, true), 0.5);
    const info = await readModelInfo(bytes);
    assert.deepEqual(info.inputs, [{ name: 'image', elementType: 'float32', dims: ['N', 3, 8, 8] }]);
    assert.equal(info.parameterCount, 6 + 4);
    assert.equal(info.producer, 'unit-test');
  });

  test('refuses mismatched weights and reused names', () => {
    const g = new GraphBuilder();
    const x = g.input('x', [1, 1, 2, 2]);
    assert.throws(() => g.conv(x, { weights: [1, 2], shape: [1, 1, 1, 1] }), /2 values for dims \[1,1,1,1\]/);
    assert.throws(() => g.input('x', [1]), /used twice/);
  });
});
