/**
 * The gradient family on exact gradients: the CAM formulas against hand computations, every
 * method end to end against the same formulas on float64 central differences of the reference
 * evaluator, batching, input saliency, and the finite-difference fallback on a graph with an
 * operator that has no gradient rule.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { onnx } from 'onnx-proto';
import { ModelExplainer, type FeatureMap } from '../../../server/src/core/explain';
import { gradientCam, GRADIENT_CAM_METHODS } from '../../../server/src/core/explain/gradientCams';
import { InputError } from '../../../server/src/core/findings';
import type { ImageVolume } from '../../../server/src/core/io/types';
import { GraphBuilder } from '../../../server/src/core/onnx';
import { createRandom } from '../../../server/src/core/util/random';
import { evaluateReference } from '../onnx/reference/evaluate';
import { numericGradient } from '../onnx/reference/gradient';
import { buildUNet, modelConfig } from './support';

const runtime = { provider: 'cpu' as const, batch: 4, threads: 1 };

function greyImage(size: number, seed: number): ImageVolume {
  const r = createRandom(seed);
  const data = Uint8Array.from({ length: size * size }, () => r.int(256));
  return { width: size, height: size, depth: 1, channels: 1, data, bitDepth: 8, spacing: [1, 1, 1], spacingKnown: false, format: 'png' };
}

describe('gradientCam formulas (2 channels of 2×2, by hand)', () => {
  // A_0 = [1 2; 3 4], A_1 = [0 1; 1 0]; G_0 = [0.5 −1; 0 2], G_1 = [1 1; −1 0].
  const map: FeatureMap = { channels: 2, height: 2, width: 2, layout: 'NCHW', data: Float32Array.from([1, 2, 3, 4, 0, 1, 1, 0]) };
  const grad: FeatureMap = { channels: 2, height: 2, width: 2, layout: 'NCHW', data: Float32Array.from([0.5, -1, 0, 2, 1, 1, -1, 0]) };
  const close = (got: ArrayLike<number>, want: number[], tol = 1e-6) => want.forEach((w, i) => assert.ok(Math.abs(got[i] - w) <= tol, `${i}: ${got[i]} vs ${w}`));

  test('Grad-CAM: w = mean G = [0.375, 0.25]; map = ReLU(0.375 A_0 + 0.25 A_1)', () => {
    const r = gradientCam('gradcam', map, grad);
    close(r.weights!, [0.375, 0.25]);
    close(r.cam, [0.375, 1, 1.375, 1.5]);
  });

  test('XGrad-CAM: w_c = Σ G·A / Σ A = [6.5/10, 0/2]', () => {
    const r = gradientCam('xgradcam', map, grad);
    close(r.weights!, [0.65, 0]);
    close(r.cam, [0.65, 1.3, 1.95, 2.6]);
  });

  test('HiResCAM: ReLU(Σ_c G_c ⊙ A_c) = ReLU([0.5+0, −2+1, 0−1, 8+0])', () => {
    close(gradientCam('hirescam', map, grad).cam, [0.5, 0, 0, 8]);
  });

  test('LayerCAM: Σ_c ReLU(G_c) ⊙ A_c = [0.5+0, 0+1, 0+0, 8+0]', () => {
    close(gradientCam('layercam', map, grad).cam, [0.5, 1, 0, 8]);
  });

  test('Grad-CAM++: α = G²/(2G² + ΣA·G³), w = Σ α ReLU(G)', () => {
    // Channel 0 (ΣA = 10): G = 0.5 → α = 0.25/(0.5 + 1.25) = 1/7, term 0.5/7; G = 2 → α = 4/(8 + 80) = 1/22, term 2/22;
    // G = −1 → ReLU 0; G = 0 → skipped. Channel 1 (ΣA = 2): G = 1 → α = 1/(2 + 2) = 1/4 twice, terms 1/4 + 1/4; G = −1 → 0.
    const w0 = 0.5 / 7 + 2 / 22;
    const w1 = 0.5;
    const r = gradientCam('gradcam++', map, grad);
    close(r.weights!, [w0, w1], 1e-6);
    close(r.cam, [w0 * 1, w0 * 2 + w1, w0 * 3 + w1, w0 * 4]);
  });
});

describe('gradient methods end to end on a random U-Net', () => {
  const size = 16;
  const { bytes } = buildUNet({ inChannels: 1, channels: [4, 8, 16], size, seed: 9 });
  const proto = onnx.ModelProto.decode(bytes);
  const images = [0, 1, 2, 3, 4].map((k) => greyImage(size, 300 + k));
  const references = images.map((_im, k) => {
    const r = createRandom(50 + k);
    return Uint8Array.from({ length: size * size }, () => (r.next() < 0.3 ? 1 : 0));
  });
  const feedsOf = (image: ImageVolume) => ({ image: { dims: [1, 1, size, size], data: Float64Array.from(image.data, (v) => v / 255) } });

  test('every gradient CAM equals its formula on float64 central differences (1e-5), and a batch equals one image at a time', async () => {
    const explainer = await ModelExplainer.create(modelConfig('unet', 'unet.onnx', size), bytes, runtime);
    try {
      const [C, h, w] = [16, size / 4, size / 4];
      for (const method of GRADIENT_CAM_METHODS) {
        const batch = await explainer.explainBatch(images.map((image, k) => ({ image, reference: references[k] })), { method, target: 'reference' });
        for (let k = 0; k < images.length; k++) {
          const g = numericGradient(proto, feedsOf(images[k]), 'bottleneck', 'logits', Float64Array.from(references[k]));
          const single = await explainer.explainImage(images[k], { method, target: 'reference', reference: references[k] });
          // The formula applied to the float64 reference's activations and gradient.
          const activations = Float32Array.from(evaluateReference(proto, feedsOf(images[k]), ['bottleneck']).bottleneck.data);
          const want = gradientCam(method, { channels: C, height: h, width: w, layout: 'NCHW', data: activations }, { channels: C, height: h, width: w, layout: 'NCHW', data: Float32Array.from(g) });
          let largest = 0;
          for (const v of want.cam) largest = Math.max(largest, Math.abs(v));
          assert.ok(largest > 0, `${method}: a non-trivial map`);
          for (let i = 0; i < h * w; i++) {
            assert.ok(Math.abs(batch[k].cam[i] - want.cam[i]) <= 1e-5 * largest, `${method} image ${k} pixel ${i}: ${batch[k].cam[i]} vs ${want.cam[i]}`);
            assert.ok(Math.abs(batch[k].cam[i] - single.cam[i]) <= 1e-6 * largest, `${method} image ${k}: batched vs single`);
          }
          assert.equal(batch[k].targetPixels, references[k].reduce((s, v) => s + v, 0));
          assert.equal(batch[k].gradient, 'exact');
        }
      }
    } finally {
      await explainer.dispose();
    }
  });

  test('input saliency: |∂y/∂x| and Integrated Gradients against float64 central differences', async () => {
    const explainer = await ModelExplainer.create(modelConfig('unet', 'unet.onnx', size), bytes, runtime);
    try {
      const image = images[0];
      const reference = references[0];
      const saliency = await explainer.explainImage(image, { method: 'saliency', target: 'reference', reference });
      const g = numericGradient(proto, feedsOf(image), 'image', 'logits', Float64Array.from(reference));
      let largest = 0;
      for (const v of g) largest = Math.max(largest, Math.abs(v));
      for (let i = 0; i < size * size; i++) assert.ok(Math.abs(saliency.cam[i] - Math.abs(g[i])) <= 1e-5 * largest, `saliency pixel ${i}`);
      assert.equal(saliency.layer, 'image');
      assert.deepEqual([saliency.camWidth, saliency.camHeight], [size, size]);

      // Integrated Gradients with 4 midpoints from the zero input: x ⊙ mean_k ∇y(((k + ½)/4) x), positive part.
      const steps = 4;
      const ig = await explainer.explainImage(image, { method: 'integrated-gradients', target: 'reference', reference, saliency: { samples: 1, noise: 0.15, steps, seed: 0 } });
      const x = feedsOf(image).image.data;
      const mean = new Float64Array(x.length);
      for (let k = 0; k < steps; k++) {
        const point = { image: { dims: [1, 1, size, size], data: x.map((v) => ((k + 0.5) / steps) * v) } };
        const gk = numericGradient(proto, point, 'image', 'logits', Float64Array.from(reference));
        for (let i = 0; i < x.length; i++) mean[i] += gk[i] / steps;
      }
      const want = x.map((v, i) => Math.max(0, v * mean[i]));
      let top = 0;
      for (const v of want) top = Math.max(top, v);
      assert.ok(top > 0);
      for (let i = 0; i < x.length; i++) assert.ok(Math.abs(ig.cam[i] - want[i]) <= 1e-5 * top, `IG pixel ${i}: ${ig.cam[i]} vs ${want[i]}`);
      assert.equal(ig.evaluations, steps);
    } finally {
      await explainer.dispose();
    }
  });
});

describe('the finite-difference fallback', () => {
  // x → Conv (layer `features`) → CumSum along W (no gradient rule) → Conv → logits.
  function build(): Uint8Array {
    const g = new GraphBuilder('fallback');
    const x = g.input('x', ['N', 1, 8, 8]);
    const r = createRandom(5);
    const a = g.conv(x, { weights: Float32Array.from({ length: 3 * 9 }, () => r.normal()), shape: [3, 1, 3, 3], name: 'features' });
    const axis = g.constant([3], []);
    const c = g.node('CumSum', [a, g.node('Cast', [axis], undefined, [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: onnx.TensorProto.DataType.INT64 }])], 'summed');
    const y = g.conv(c, { weights: Float32Array.from({ length: 3 * 9 }, () => 0.1 * r.normal()), shape: [1, 3, 3, 3] });
    g.output(g.node('Identity', [y], 'logits'), ['N', 1, 8, 8]);
    return g.build();
  }

  test('Grad-CAM falls back to differences and names the operator; the other gradient methods refuse with explain/no-gradient', async () => {
    const explainer = await ModelExplainer.create(modelConfig('f', 'f.onnx', 8), build(), runtime, { layer: 'features' });
    try {
      const image = greyImage(8, 3);
      const reference = Uint8Array.from({ length: 64 }, (_v, i) => (i % 3 === 0 ? 1 : 0));
      const problem = await explainer.gradientProblem('reference');
      assert.match(problem ?? '', /CumSum/);
      const r = await explainer.explainImage(image, { method: 'gradcam', target: 'reference', reference });
      assert.equal(r.gradient, 'differences');
      assert.ok(r.relativeStep !== undefined && r.evaluations > 0);
      await assert.rejects(
        explainer.explainImage(image, { method: 'gradcam++', target: 'reference', reference }),
        (err: unknown) => err instanceof InputError && err.code === 'explain/no-gradient' && /CumSum/.test(err.message),
      );
      await assert.rejects(
        explainer.explainImage(image, { method: 'gradcam', target: 'reference', reference, gradients: 'exact' }),
        (err: unknown) => err instanceof InputError && err.code === 'explain/no-gradient',
      );
    } finally {
      await explainer.dispose();
    }
  });
});
