/**
 * The ONNX differentiator against PyTorch autograd on models PyTorch exported: a timm-ResNet U-Net
 * (Conv with BN folded, strided and 1×1 downsample convs, residual Add, MaxPool, nearest Resize,
 * Concat) and an nnU-Net-style U-Net (InstanceNormalization, LeakyRelu, ConvTranspose, strided
 * Conv). The references are the committed outputs of test/fixtures/explain/make_resnet_unet.py and
 * make_nnunet2d.py, computed by autograd in float64.
 *
 * Tolerances: float32 sums come out different in different summation orders. A conv output here
 * sums up to C_in·k² = 864 products; onnxruntime (blocked GEMM, batch norm folded into the weights
 * at export) and the reference add them in different orders, each add rounds by up to 2^-24
 * relative, and the error of one layer feeds the next, about 15 layers forward and 15 back. The
 * float32 autograd run of the same models and onnxruntime's forward run differ from the float64
 * reference by at most 5e-6 of the largest magnitude in logits and activations and 5e-7 in
 * gradients and Grad-CAM weights (reference.json records it per quantity), so 1e-4 of the largest
 * magnitude leaves a margin of twenty (forward) to two hundred (backward), while a wrong rule is
 * off by far more: a conv gradient's padding shifted by one row gave 0.6 of it, MaxPool winners
 * one offset off 1.1. What elementwise tolerances cannot absorb is float32 taking another branch:
 * a ReLU input within rounding of 0 (reference.json's float32_hazards counts 6 within 1e-6 of
 * their layer's largest, none flipped by onnxruntime 1.30 or torch 2.13) or a MaxPool near-tie
 * moves a gradient elsewhere; should another onnxruntime flip one, this fails at the elements
 * downstream of it while the Grad-CAM maps still agree (at full size, where hundreds lie that
 * close, torch's own float32 gradients differ from float64 by up to 5 %).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { onnx } from 'onnx-proto';
import { gradientCam } from '../../../server/src/core/explain/gradientCams';
import { GradientRunner, type GradientBatch } from '../../../server/src/core/explain/gradientRunner';
import { writeMaskSeed } from '../../../server/src/core/explain/targetSeed';
import type { FeatureMap } from '../../../server/src/core/explain/featureMap';
import type { ResolvedModelInput, ScoreMapShape } from '../../../server/src/core/inference';
import { modelConfig } from './support';
import { pearson } from '../onnx/reference/gradient';

const runtime = { provider: 'cpu' as const, batch: 4, threads: 1 };
const RELATIVE = 1e-4;
const MIN_PEARSON = 0.9999;

interface F32Entry {
  file: string;
  dims: number[];
}

interface ReferenceIndex {
  model: string;
  input_name: string;
  output_name: string;
  input_channels: 1 | 3;
  size: number;
  images: number;
  input: F32Entry;
  logits: F32Entry;
  layers: Record<string, { onnx_tensor: string }>;
  activations: Record<string, F32Entry>;
  targets: Record<string, { mask: F32Entry; layers: Record<string, { gradient: F32Entry; weights: F32Entry; cam: F32Entry }>; input_gradient?: F32Entry }>;
}

class Fixture {
  readonly index: ReferenceIndex;
  readonly proto: onnx.IModelProto;

  constructor(readonly folder: string) {
    this.index = JSON.parse(readFileSync(join(folder, 'reference.json'), 'utf8')) as ReferenceIndex;
    this.proto = onnx.ModelProto.decode(readFileSync(join(folder, this.index.model)));
  }

  read(entry: F32Entry): Float32Array {
    const b = readFileSync(join(this.folder, entry.file));
    const data = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
    assert.equal(data.length, entry.dims.reduce((a, d) => a * d, 1), `${entry.file}: size`);
    return data;
  }

  get modelConfig() {
    return modelConfig('fixture', join(this.folder, this.index.model), this.index.size, this.index.input_channels);
  }

  get input(): ResolvedModelInput {
    const { size, input_channels } = this.index;
    return { size: [size, size], layout: 'NCHW', channels: input_channels, normalize: { kind: 'unit' } };
  }

  /** One forward and backward run of every image; `mask` (the reference target) is written as the seed. */
  async run(wrt: string, seed: 'input' | 'prediction', mask?: Float32Array): Promise<GradientBatch> {
    const { index } = this;
    const runner = await GradientRunner.create({ model: this.modelConfig, proto: this.proto, input: this.input, runtime, provider: 'cpu', wrt, output: index.output_name, seed });
    try {
      assert.ok(runner.maxBatch >= index.images, `maxBatch ${runner.maxBatch}`);
      const x = this.read(index.input);
      if (seed === 'prediction') return await runner.run(x, index.images);
      const shape: ScoreMapShape = { channels: 1, height: index.size, width: index.size, layout: 'NCHW' };
      const plane = index.size * index.size;
      const seeds = new Float32Array(index.images * plane);
      for (let n = 0; n < index.images; n++) writeMaskSeed(seeds, shape, this.modelConfig.output, Uint8Array.from(mask!.subarray(n * plane, (n + 1) * plane)), n);
      return await runner.run(x, index.images, seeds, [index.images, 1, index.size, index.size]);
    } finally {
      await runner.dispose();
    }
  }
}

function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return m;
}

/** |actual − expected| ≤ RELATIVE × max|expected| everywhere; reports the worst element. */
function assertClose(actual: ArrayLike<number> | undefined, expected: ArrayLike<number>, what: string): void {
  assert.ok(actual, `${what}: missing`);
  assert.equal(actual.length, expected.length, `${what}: length`);
  const scale = maxAbs(expected);
  assert.ok(scale > 0, `${what}: the reference is all zeros`);
  let worst = 0;
  let at = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    if (!(d <= worst)) [worst, at] = [d, i];
  }
  assert.ok(worst <= RELATIVE * scale, `${what}: |diff| ${worst} at ${at} (${actual[at]} vs ${expected[at]}) exceeds ${RELATIVE} × ${scale}`);
}

/** Checks activations, gradients and Grad-CAM of one layer and target against the fixture. */
function checkLayer(fixture: Fixture, layer: string, target: string, batch: GradientBatch): void {
  const { index } = fixture;
  const ref = index.targets[target].layers[layer];
  const [, channels, height, width] = ref.gradient.dims;
  assert.deepEqual([...batch.dims], ref.gradient.dims, `${layer}: gradient dims`);
  const activations = fixture.read(index.activations[layer]);
  assertClose(batch.activations, activations, `${layer} activations`);
  assertClose(batch.gradients, fixture.read(ref.gradient), `${layer} ∂y/∂A (${target})`);

  const weights = fixture.read(ref.weights);
  const cams = fixture.read(ref.cam);
  const sample = channels * height * width;
  for (let n = 0; n < index.images; n++) {
    const map: FeatureMap = { channels, height, width, layout: 'NCHW', data: batch.activations!.subarray(n * sample, (n + 1) * sample) };
    const grad: FeatureMap = { ...map, data: batch.gradients.subarray(n * sample, (n + 1) * sample) };
    const cam = gradientCam('gradcam', map, grad);
    assertClose(cam.weights, weights.subarray(n * channels, (n + 1) * channels), `${layer} image ${n} Grad-CAM weights (${target})`);
    const expected = cams.subarray(n * height * width, (n + 1) * height * width);
    const r = pearson(cam.cam, expected);
    assert.ok(r >= MIN_PEARSON, `${layer} image ${n} Grad-CAM map (${target}): Pearson r ${r}`);
  }
}

const here = join(__dirname, '..', '..', 'fixtures', 'explain');

describe('exact gradients of a PyTorch-exported timm-ResNet U-Net match autograd', () => {
  const fixture = new Fixture(join(here, 'resnet_unet'));
  const { index } = fixture;
  const referenceMask = fixture.read(index.targets.reference.mask);
  const runs = new Map<string, GradientBatch>();
  before(async () => {
    for (const layer of Object.keys(index.layers)) {
      runs.set(`${layer}/reference`, await fixture.run(index.layers[layer].onnx_tensor, 'input', referenceMask));
      runs.set(`${layer}/prediction`, await fixture.run(index.layers[layer].onnx_tensor, 'prediction'));
    }
    runs.set('input/reference', await fixture.run(index.input_name, 'input', referenceMask));
  });
  after(() => runs.clear());

  test('the fixture is the architecture it claims (ops on the gradient path)', () => {
    const ops = new Set((fixture.proto.graph?.node ?? []).map((n) => n.opType));
    for (const op of ['Conv', 'Relu', 'Add', 'MaxPool', 'Resize', 'Concat']) assert.ok(ops.has(op), op);
    assert.ok(!ops.has('BatchNormalization'), 'batch norm is folded into the convs at export');
  });

  test('the scores equal the reference logits', () => {
    assertClose(runs.get('input/reference')!.scores.data as Float32Array, fixture.read(index.logits), 'logits');
  });

  for (const layer of ['encoder.layer4', 'decoder.blocks.2']) {
    test(`${layer}, target reference: activations, ∂y/∂A, Grad-CAM weights and maps`, () => {
      checkLayer(fixture, layer, 'reference', runs.get(`${layer}/reference`)!);
    });
    test(`${layer}, target prediction: the graph's mask is torch's, then activations, ∂y/∂A, Grad-CAM`, () => {
      const batch = runs.get(`${layer}/prediction`)!;
      assert.deepEqual(batch.seed, fixture.read(index.targets.prediction.mask));
      checkLayer(fixture, layer, 'prediction', batch);
    });
  }

  test('input saliency ∂y/∂x, target reference', () => {
    const batch = runs.get('input/reference')!;
    assert.equal(batch.activations, undefined);
    assertClose(batch.gradients, fixture.read(index.targets.reference.input_gradient!), '∂y/∂x');
  });
});

describe('exact gradients of a PyTorch-exported nnU-Net-style U-Net match autograd', () => {
  const fixture = new Fixture(join(here, 'nnunet2d'));
  const { index } = fixture;
  const referenceMask = fixture.read(index.targets.reference.mask);
  const layer = 'decoder.stages.0';

  test('the fixture has the operators it is for', () => {
    const ops = new Set((fixture.proto.graph?.node ?? []).map((n) => n.opType));
    for (const op of ['InstanceNormalization', 'LeakyRelu', 'ConvTranspose', 'Concat']) assert.ok(ops.has(op), op);
  });

  test(`${layer}, target reference: activations, ∂y/∂A, Grad-CAM weights and maps`, async () => {
    const batch = await fixture.run(index.layers[layer].onnx_tensor, 'input', referenceMask);
    assertClose(batch.scores.data as Float32Array, fixture.read(index.logits), 'logits');
    checkLayer(fixture, layer, 'reference', batch);
  });

  test('input saliency ∂y/∂x, target reference', async () => {
    const batch = await fixture.run(index.input_name, 'input', referenceMask);
    assertClose(batch.gradients, fixture.read(index.targets.reference.input_gradient!), '∂y/∂x');
  });
});
