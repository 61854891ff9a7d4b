/**
 * The float64 reference evaluator (test/core/onnx/reference/) against onnxruntime: every op and
 * attribute combination gradient tests rely on, on the same float32-representable inputs. The
 * reference models what onnxruntime computes (Resize's float32 coordinates, ceil_mode windows,
 * pad-counting divisors, pre-13 Softmax); where onnxruntime and the ONNX spec disagree the case
 * follows onnxruntime and the kernel says so. Then numericGradient against hand-derived
 * gradients.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { onnx } from 'onnx-proto';
import { floatTensor, int64Tensor } from '../../../server/src/core/onnx/protoValues';
import { erf } from './reference/erf';
import { evaluateReference, ReferenceGraph, supportedOps } from './reference/evaluate';
import { maxRelativeError, numericGradient, randomFloat32Array } from './reference/gradient';
import { attr, buildOpCase, runOnnxruntime, type BuiltCase, type OpCase } from './reference/onnxCase';
import { makeTensor } from './reference/tensor';
import { caseFamilies, seedOf } from './referenceCases';

/**
 * Every case passes at 1e-5 of the output's scale: the graphs are small (no output sums more
 * than a few dozen float32 products), so onnxruntime's float32 accumulation stays far below it
 * and no case needs the looser 1e-4.
 */
const FLOAT_TOLERANCE = 1e-5;

async function assertAgrees(built: BuiltCase, tolerance = FLOAT_TOLERANCE): Promise<void> {
  const expected = await runOnnxruntime(built.model, built.feeds);
  const actual = evaluateReference(built.model, built.feeds, Object.keys(expected));
  for (const [name, e] of Object.entries(expected)) {
    const a = actual[name];
    assert.deepEqual(a.dims, e.dims, `${name}: dims`);
    if (e.dataType === undefined) {
      const err = maxRelativeError(a.data, e.data);
      assert.ok(err <= tolerance, `${name}: max relative error ${err} > ${tolerance}`);
    } else {
      assert.deepEqual([...a.data], [...e.data], `${name}: integer values`);
    }
  }
}

function crossCheck(family: string, cases: readonly OpCase[]): void {
  describe(`${family}: reference agrees with onnxruntime`, () => {
    for (const c of cases) test(c.name, () => assertAgrees(buildOpCase(c.spec, seedOf(c.name)), c.tolerance));
  });
}

for (const [family, cases] of Object.entries(caseFamilies)) crossCheck(family, cases);

test('every op the reference evaluates has a cross-check case', () => {
  const covered = new Set(
    Object.values(caseFamilies)
      .flat()
      .map((c) => c.spec.op),
  );
  assert.deepEqual(
    supportedOps.filter((op) => !covered.has(op)),
    [],
  );
});

const node = (opType: string, input: string[], output: string[], attribute: onnx.IAttributeProto[] = []): onnx.INodeProto => ({ opType, input, output, attribute, name: output[0] });
const floatInput = (name: string, dims: number[]): onnx.IValueInfoProto => ({
  name,
  type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims.map((d) => ({ dimValue: d })) } } },
});
const modelOf = (nodes: onnx.INodeProto[], inputs: onnx.IValueInfoProto[], outputs: string[], initializer: onnx.ITensorProto[] = [], opset = 17): onnx.IModelProto => ({
  irVersion: 8,
  opsetImport: [{ domain: '', version: opset }],
  graph: { name: 'g', node: nodes, input: inputs, output: outputs.map((name) => ({ name })), initializer },
});

describe('evaluateReference: graphs as real exports write them', () => {
  test('nodes out of order, Constant nodes and int64 shape arithmetic agree with onnxruntime', async () => {
    // y = Relu(Reshape(x, [Shape(x)[0], Shape(x)[1] · Shape(x)[2] / 2, 2 · Shape(x)[3]])) · c, nodes listed last-first.
    const nodes = [
      node('Mul', ['r', 'c'], ['y']),
      node('Relu', ['reshaped'], ['r']),
      node('Reshape', ['x', 'shape'], ['reshaped']),
      node('Concat', ['n', 'half', 'twice'], ['shape'], [attr.int('axis', 0)]),
      node('Mul', ['w', 'two'], ['twice']),
      node('Div', ['hw', 'two'], ['half']),
      node('Mul', ['h', 'cdim'], ['hw']),
      node('Gather', ['s', 'i0'], ['n']),
      node('Gather', ['s', 'i1'], ['cdim']),
      node('Gather', ['s', 'i2'], ['h']),
      node('Gather', ['s', 'i3'], ['w']),
      node('Shape', ['x'], ['s']),
      ...[0, 1, 2, 3].map((i) => node('Constant', [], [`i${i}`], [attr.tensor('value', int64Tensor(`i${i}`, [1], [i]))])),
      node('Constant', [], ['two'], [attr.tensor('value', int64Tensor('two', [1], [2]))]),
      node('Constant', [], ['c'], [attr.tensor('value', floatTensor('c', [1, 1, 4], [0.5, -1, 2, 3]))]),
    ];
    const model = modelOf(nodes, [floatInput('x', [2, 3, 4, 2])], ['y']);
    const feeds = { x: makeTensor([2, 3, 4, 2], randomFloat32Array(48, 11, -2, 2)) };
    await assertAgrees({ model, feeds });
    assert.deepEqual(evaluateReference(model, feeds).y.dims, [2, 6, 4]);
    const shape = evaluateReference(model, feeds, ['shape']).shape;
    assert.deepEqual([...shape.data], [2, 6, 4]);
    assert.equal(shape.dataType, onnx.TensorProto.DataType.INT64);
  });

  test('initializers from decoded bytes: floatData, rawData at a buffer offset, int64Data as Long', async () => {
    const weights = randomFloat32Array(6, 12);
    const model = modelOf(
      [node('Add', ['x', 'w'], ['sum']), node('Mul', ['sum', 'raw'], ['prod']), node('Reshape', ['prod', 'shape'], ['y'])],
      [floatInput('x', [2, 3])],
      ['y'],
      [{ name: 'w', dims: [2, 3], dataType: onnx.TensorProto.DataType.FLOAT, floatData: [...weights] }, floatTensor('raw', [3], [0.5, -2, 4]), int64Tensor('shape', [2], [3, -1])],
    );
    const decoded = onnx.ModelProto.decode(onnx.ModelProto.encode(model).finish());
    const [w, rawScale] = model.graph!.initializer!;
    const shapeAsInt64Data = { name: 'shape', dims: [2], dataType: onnx.TensorProto.DataType.INT64, int64Data: [3, -1] };
    const longModel = onnx.ModelProto.decode(onnx.ModelProto.encode({ ...model, graph: { ...model.graph, initializer: [w, rawScale, shapeAsInt64Data] } }).finish());
    const longShape = longModel.graph!.initializer!.find((t) => t.name === 'shape')!;
    assert.equal(typeof longShape.int64Data![0], 'object', 'int64Data decodes as Long');
    const raw = decoded.graph!.initializer!.find((t) => t.name === 'raw')!.rawData!;
    assert.ok(raw.byteOffset > 0, 'rawData is a view into the decoded buffer');
    const x = makeTensor([2, 3], Float64Array.of(1, 2, 3, -1, -2, -3));
    const expected = [...x.data].map((v, i) => (v + weights[i]) * [0.5, -2, 4][i % 3]);
    for (const m of [decoded, longModel]) {
      const y = evaluateReference(m, { x }).y;
      assert.deepEqual(y.dims, [3, 2]);
      assert.ok(maxRelativeError(y.data, expected) < 1e-15);
      await assertAgrees({ model: m, feeds: { x } });
    }
  });

  test('initializers of every element type the evaluator reads agree with onnxruntime', async () => {
    const DT = onnx.TensorProto.DataType;
    const half = Uint8Array.from([0x00, 0x3e, 0x00, 0xc0, 0xff, 0x7b, 0x01, 0x00, 0x55, 0x35]); // 1.5, −2, 65504, 2⁻²⁴, 0.33325
    const raw = (bytes: number[] | Uint8Array) => Uint8Array.from(bytes);
    const f64 = new Uint8Array(Float64Array.of(0.1, -1.25e10, 3).buffer);
    const initializers: onnx.ITensorProto[] = [
      { name: 'd1', dims: [3], dataType: DT.DOUBLE, doubleData: [0.1, -2.5, 1e-3] },
      { name: 'd2', dims: [3], dataType: DT.DOUBLE, rawData: raw(f64) },
      { name: 'i32', dims: [3], dataType: DT.INT32, int32Data: [-7, 0, 123456] },
      { name: 'h1', dims: [5], dataType: DT.FLOAT16, rawData: half },
      { name: 'h2', dims: [2], dataType: DT.FLOAT16, int32Data: [0x3e00, 0xc000] },
      { name: 'b', dims: [3], dataType: DT.BOOL, int32Data: [1, 0, 1] },
      { name: 'u8', dims: [3], dataType: DT.UINT8, rawData: raw([0, 7, 255]) },
      { name: 'i64', dims: [2], dataType: DT.INT64, int64Data: [-(2 ** 40), 5] },
    ];
    const names = initializers.map((t) => t.name!);
    const model = modelOf(
      names.map((n) => node('Cast', [n], [`${n}_f`], [attr.int('to', DT.FLOAT)])),
      [],
      names.map((n) => `${n}_f`),
      initializers,
    );
    const decoded = onnx.ModelProto.decode(onnx.ModelProto.encode(model).finish());
    await assertAgrees({ model: decoded, feeds: {} });
    const out = evaluateReference(decoded, {});
    assert.deepEqual([...out.h1_f.data], [1.5, -2, 65504, 2 ** -24, 0.333251953125]);
    assert.deepEqual([...out.i64_f.data], [-(2 ** 40), 5]);
  });

  test('an override replaces an inner tensor for its consumers only', () => {
    const model = modelOf([node('Relu', ['x'], ['a']), node('Mul', ['a', 'k'], ['y'])], [floatInput('x', [3])], ['y', 'a'], [floatTensor('k', [], [2])]);
    const out = evaluateReference(model, { x: makeTensor([3], Float64Array.of(-1, 2, 3)) }, ['y', 'a'], { overrides: { a: makeTensor([3], Float64Array.of(5, -6, 0.25)) } });
    assert.deepEqual([...out.a.data], [5, -6, 0.25]);
    assert.deepEqual([...out.y.data], [10, -12, 0.5]);
  });

  test('unsupported ops, domains and missing feeds throw errors that name them', () => {
    const x = { x: makeTensor([2], Float64Array.of(1, 2)) };
    assert.throws(() => evaluateReference(modelOf([node('Hardmax', ['x'], ['y'])], [floatInput('x', [2])], ['y']), x), /op Hardmax is not supported/);
    const custom = modelOf([{ ...node('Relu', ['x'], ['y']), domain: 'com.microsoft' }], [floatInput('x', [2])], ['y']);
    assert.throws(() => evaluateReference(custom, x), /domain com\.microsoft/);
    assert.throws(() => evaluateReference(modelOf([node('Relu', ['x'], ['y'])], [floatInput('x', [2])], ['y']), {}), /input x has no value/);
  });

  test('erf matches tabulated values to float64 precision', () => {
    // Abramowitz & Stegun table 7.1 / standard 16-digit values.
    const table: [number, number][] = [
      [0, 0],
      [0.1, 0.1124629160182849],
      [0.5, 0.5204998778130465],
      [1, 0.8427007929497149],
      [2, 0.9953222650189527],
      [3, 0.9999779095030014],
      [-1.5, -0.9661051464753108],
      [4, 0.9999999845827421],
    ];
    for (const [x, e] of table) assert.ok(Math.abs(erf(x) - e) <= 4e-16, `erf(${x}) = ${erf(x)}, expected ${e}`);
    assert.equal(erf(7), 1);
    assert.equal(erf(-7), -1);
  });
});

describe('numericGradient: central differences against hand-derived gradients', () => {
  const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

  test('L = Σ seed · sigmoid(x): dL/dx = seed · s(1 − s)', () => {
    const model = modelOf([node('Sigmoid', ['x'], ['y'])], [floatInput('x', [2, 5])], ['y']);
    const x = randomFloat32Array(10, 21, -3, 3);
    const seed = randomFloat32Array(10, 22);
    const grad = numericGradient(model, { x: makeTensor([2, 5], x) }, 'x', 'y', seed);
    const expected = [...x].map((v, i) => seed[i] * sigmoid(v) * (1 - sigmoid(v)));
    assert.ok(maxRelativeError(grad, expected) < 1e-8, `error ${maxRelativeError(grad, expected)}`);
  });

  test('L = Σ seed · (W x): dL/dx = Wᵀ seed and dL/dW = seed xᵀ (W an initializer)', () => {
    const [M, K, N] = [3, 4, 2];
    const W = randomFloat32Array(M * K, 23);
    const x = randomFloat32Array(K * N, 24);
    const seed = randomFloat32Array(M * N, 25);
    const model = modelOf([node('MatMul', ['W', 'x'], ['y'])], [floatInput('x', [K, N])], ['y'], [floatTensor('W', [M, K], W)]);
    const feeds = { x: makeTensor([K, N], x) };
    const dx = new Float64Array(K * N);
    const dW = new Float64Array(M * K);
    for (let i = 0; i < M; i++)
      for (let k = 0; k < K; k++)
        for (let j = 0; j < N; j++) {
          dx[k * N + j] += W[i * K + k] * seed[i * N + j];
          dW[i * K + k] += seed[i * N + j] * x[k * N + j];
        }
    assert.ok(maxRelativeError(numericGradient(model, feeds, 'x', 'y', seed), dx) < 1e-8);
    assert.ok(maxRelativeError(numericGradient(model, feeds, 'W', 'y', seed), dW) < 1e-8);
  });

  test('with respect to an inner tensor, only the nodes between it and the output are re-run', () => {
    // t = 3x, y = sigmoid(t), z = exp(x) (a branch the perturbation of t does not reach).
    const model = modelOf(
      [node('Exp', ['x'], ['z']), node('Sigmoid', ['t'], ['y']), node('Mul', ['x', 'three'], ['t'])],
      [floatInput('x', [4])],
      ['y', 'z'],
      [floatTensor('three', [], [3])],
    );
    const graph = new ReferenceGraph(model);
    assert.deepEqual(graph.nodesBetween('t', 'y'), [1]);
    assert.deepEqual(graph.nodesBetween('x', 'y'), [2, 1]);
    const x = randomFloat32Array(4, 26);
    const seed = randomFloat32Array(4, 27);
    const feeds = { x: makeTensor([4], x) };
    const dt = [...x].map((v, i) => seed[i] * sigmoid(3 * v) * (1 - sigmoid(3 * v)));
    assert.ok(maxRelativeError(numericGradient(model, feeds, 't', 'y', seed), dt) < 1e-8);
    assert.ok(maxRelativeError(numericGradient(model, feeds, 'x', 'y', seed), dt.map((g) => 3 * g)) < 1e-8);
    assert.deepEqual([...numericGradient(model, feeds, 't', 'z', Float64Array.of(1, 1, 1, 1))], [0, 0, 0, 0]);
  });

  test('the epsilon option sets the step: a quadratic is exact for any step', () => {
    const model = modelOf([node('Mul', ['x', 'x'], ['y'])], [floatInput('x', [3])], ['y']);
    const x = Float64Array.of(0.5, -2, 3);
    const seed = Float64Array.of(1, 0.25, -2);
    const expected = [...x].map((v, i) => 2 * seed[i] * v);
    for (const epsilon of [1e-6, 1e-2, 0.5]) {
      const grad = numericGradient(model, { x: makeTensor([3], x) }, 'x', 'y', seed, { epsilon });
      assert.ok(maxRelativeError(grad, expected) < 1e-9, `epsilon ${epsilon}`);
    }
    // Relu's kink: a step of 0.5 straddles it at x = 0.25, a step of 1e-6 does not.
    const relu = modelOf([node('Relu', ['x'], ['y'])], [floatInput('x', [1])], ['y']);
    const at = { x: makeTensor([1], Float64Array.of(0.25)) };
    assert.equal(numericGradient(relu, at, 'x', 'y', Float64Array.of(1), { epsilon: 0.5 })[0], 0.75);
    assert.ok(Math.abs(numericGradient(relu, at, 'x', 'y', Float64Array.of(1))[0] - 1) < 1e-9);
  });
});

describe('shared helpers', () => {
  test('randomFloat32Array: seeded, float32-representable, inside [low, high]', () => {
    const a = randomFloat32Array(1000, 7, -3, 5);
    assert.deepEqual([...a], [...randomFloat32Array(1000, 7, -3, 5)]);
    assert.notDeepEqual([...a.slice(0, 10)], [...randomFloat32Array(10, 8, -3, 5)]);
    for (const v of a) {
      assert.equal(Math.fround(v), v);
      assert.ok(v >= -3 && v <= 5);
    }
  });

  test('maxRelativeError is max|a − b| over max|b|', () => {
    assert.equal(maxRelativeError([1, 2, 3], [1, 2, 4]), 0.25);
    assert.equal(maxRelativeError([0.5, -1], [0, -2]), 0.5);
    assert.equal(maxRelativeError([0, 0], [0, 0]), 0);
    assert.ok(Number.isNaN(maxRelativeError([NaN], [1])));
    assert.throws(() => maxRelativeError([1], [1, 2]), /lengths/);
  });
});
