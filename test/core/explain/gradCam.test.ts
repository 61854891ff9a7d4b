import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { onnx } from 'onnx-proto';
import { chooseStep, gradCamWeights, ModelExplainer, STEP_LADDER, type FeatureMap, type TailEvaluator } from '../../../server/src/core/explain';
import type { ImageVolume } from '../../../server/src/core/io/types';
import { GraphBuilder } from '../../../server/src/core/onnx';
import { createRandom } from '../../../server/src/core/util/random';
import { numericGradient } from '../onnx/reference/gradient';
import { buildUNet, modelConfig } from './support';

const runtime = { provider: 'cpu' as const, batch: 4, threads: 1 };

function greyImage(size: number, seed: number): ImageVolume {
  const r = createRandom(seed);
  const data = Uint8Array.from({ length: size * size }, () => r.int(256));
  return { width: size, height: size, depth: 1, channels: 1, data, bitDepth: 8, spacing: [1, 1, 1], spacingKnown: false, format: 'png' };
}

describe('gradCamWeights (directional derivatives)', () => {
  test('equals the derivative of a quadratic tail along each channel, in batches that do not divide the channels', async () => {
    // y(A) = Σ_c (a_c S_c + b_c S_c²) + Σ_i q_i A_i, S_c = Σ_i A_ci: ∂y/∂(all-ones of c) = a_c·n + 2 b_c S_c·n + Σ_{i∈c} q_i.
    const C = 5;
    const [h, w] = [3, 4];
    const n = h * w;
    const r = createRandom(3);
    const a = Array.from({ length: C }, () => r.normal());
    const b = Array.from({ length: C }, () => r.normal() * 0.1);
    const q = Array.from({ length: C * n }, () => r.normal());
    for (const layout of ['NCHW', 'NHWC'] as const) {
      const data = Float32Array.from({ length: C * n }, () => r.normal());
      const at = (c: number, i: number) => (layout === 'NCHW' ? c * n + i : i * C + c);
      const map: FeatureMap = { channels: C, height: h, width: w, layout, data };
      const calls: number[] = [];
      const tail: TailEvaluator = {
        maxBatch: 5,
        async evaluate(samples, count) {
          calls.push(count);
          const y = new Float64Array(count);
          for (let k = 0; k < count; k++) {
            const s = samples.subarray(k * C * n, (k + 1) * C * n);
            for (let c = 0; c < C; c++) {
              let S = 0;
              for (let i = 0; i < n; i++) {
                S += s[at(c, i)];
                y[k] += q[c * n + i] * s[at(c, i)];
              }
              y[k] += a[c] * S + b[c] * S * S;
            }
          }
          return y;
        },
      };
      const result = await gradCamWeights(map, tail, { relativeStep: 1e-3 });
      // maxBatch 5 → 2 channels (4 samples) per call: 4 + 4 + 2.
      assert.deepEqual(calls, [4, 4, 2]);
      assert.equal(result.evaluations, 2 * C);
      assert.equal(result.relativeStep, 1e-3);
      for (let c = 0; c < C; c++) {
        let S = 0;
        let Q = 0;
        for (let i = 0; i < n; i++) {
          S += data[at(c, i)];
          Q += q[c * n + i];
        }
        const want = (a[c] * n + 2 * b[c] * S * n + Q) / n;
        assert.ok(Math.abs(result.weights[c] - want) <= 1e-9 * Math.max(1, Math.abs(want)), `${layout} channel ${c}: ${result.weights[c]} vs ${want}`);
      }
      // ε is a power of two near 1e-3 × RMS(A).
      assert.ok(Number.isInteger(Math.log2(result.epsilon)));
    }
  });
});

describe('chooseStep (the finite-difference step, from both error sources)', () => {
  test('picks the step between rounding noise and a kink, so every weight is within 1e-3 of the true one', async () => {
    // y(A) = Σ_c a_c S_c + Σ_c b_c max(0, S_c − t_c) + rounding noise, S_c = Σ_i A_ci. The kink of channel c
    // lies 0.02·RMS·n above S_c: steps ε·n beyond it bend the difference. The noise is a fixed
    // pseudo-random 1e-5 per evaluation (float32 rounding of a sum over thousands of logits), so
    // its share of a difference grows as 1/ε.
    const C = 6;
    const [h, w] = [4, 4];
    const n = h * w;
    const r = createRandom(11);
    const data = Float32Array.from({ length: C * n }, () => 1 + r.next());
    const map: FeatureMap = { channels: C, height: h, width: w, layout: 'NCHW', data };
    const rms = Math.sqrt(data.reduce((s, v) => s + v * v, 0) / data.length);
    const a = Array.from({ length: C }, () => r.normal());
    const b = Array.from({ length: C }, () => 5 * r.normal());
    const S0 = Array.from({ length: C }, (_, c) => data.subarray(c * n, (c + 1) * n).reduce((s, v) => s + v, 0));
    const t = S0.map((s) => s + 0.02 * rms * n);
    let calls = 0;
    const tail: TailEvaluator = {
      maxBatch: 8,
      async evaluate(samples, count) {
        const y = new Float64Array(count);
        for (let k = 0; k < count; k++) {
          for (let c = 0; c < C; c++) {
            let S = 0;
            for (let i = 0; i < n; i++) S += samples[k * C * n + c * n + i];
            y[k] += a[c] * S + b[c] * Math.max(0, S - t[c]);
          }
          y[k] += 1e-5 * Math.sin(1e4 * (++calls));
        }
        return y;
      },
    };
    const chosen = await chooseStep(map, tail);
    assert.ok(STEP_LADDER.includes(chosen.relativeStep));
    // 4 probe channels × 6 steps × 2 evaluations.
    assert.equal(chosen.evaluations, 48);
    const result = await gradCamWeights(map, tail);
    assert.equal(result.relativeStep, chosen.relativeStep);
    // The true directional derivative along 1_c is a_c·n (the kink is not reached from A itself).
    const largest = Math.max(...a.map((x) => Math.abs(x)));
    for (let c = 0; c < C; c++) assert.ok(Math.abs(result.weights[c] - a[c]) <= 1e-3 * largest, `channel ${c}: ${result.weights[c]} vs ${a[c]} (step ${result.relativeStep})`);
    // The ends of the ladder would not do: the smallest drowns in noise, the largest crosses the kinks.
    for (const relativeStep of [STEP_LADDER[0], STEP_LADDER[STEP_LADDER.length - 1]]) {
      const off = await gradCamWeights(map, tail, { relativeStep });
      assert.ok(a.some((x, c) => Math.abs(off.weights[c] - x) > 1e-3 * largest), `step ${relativeStep} should be visibly worse`);
    }
  });
});

describe('Seg-Grad-CAM on a network whose gradient is derived by hand', () => {
  // x → A = w1·x + b1 (1×1 conv, 3 channels, the explained layer) → z = conv3×3(A) + b2 → logits = ReLU(z).
  // Target: Σ_{p∈M} logits_p. ∂/∂A_{c,q} = Σ_{p∈M, z_p>0} W2[c, q − p + 1] (taps inside the image), so
  //   w_c = (1/64) Σ_{p∈M, z_p>0} Σ_{taps t of p inside the image} W2[c, t].
  const size = 8;
  const w1 = [0.9, -0.6, 0.4];
  const b1 = [0.1, 0.3, -0.2];
  const W2 = [0.3, -0.2, 0.5, 0.1, 0.8, -0.4, 0.2, 0.6, -0.1, -0.5, 0.2, 0.3, 0.4, -0.7, 0.1, 0.2, 0.1, -0.3, 0.6, 0.2, -0.2, 0.1, 0.9, 0.3, -0.4, 0.2, 0.5];
  const b2 = -0.35;

  function build(): Uint8Array {
    const g = new GraphBuilder('hand');
    const x = g.input('x', ['N', 1, size, size]);
    const a = g.node('Conv', [x, g.constant(w1, [3, 1, 1, 1]), g.constant(b1, [3])], 'features', [
      { name: 'kernel_shape', type: onnx.AttributeProto.AttributeType.INTS, ints: [1, 1] },
    ]);
    const z = g.conv(a, { weights: W2, shape: [1, 3, 3, 3], bias: [b2] });
    g.output(g.relu(z, 'logits'), ['N', 1, size, size]);
    return g.build();
  }

  /** The layer and z in float64, straight from the definitions. */
  function forward(image: ImageVolume): { A: Float64Array; z: Float64Array } {
    const x = Float64Array.from(image.data, (v) => v / 255);
    const A = new Float64Array(3 * size * size);
    for (let c = 0; c < 3; c++) for (let i = 0; i < size * size; i++) A[c * size * size + i] = w1[c] * x[i] + b1[c];
    const z = new Float64Array(size * size);
    for (let y = 0; y < size; y++)
      for (let xx = 0; xx < size; xx++) {
        let s = b2;
        for (let c = 0; c < 3; c++)
          for (let ky = 0; ky < 3; ky++)
            for (let kx = 0; kx < 3; kx++) {
              const sy = y + ky - 1;
              const sx = xx + kx - 1;
              if (sy >= 0 && sy < size && sx >= 0 && sx < size) s += W2[(c * 3 + ky) * 3 + kx] * A[c * size * size + sy * size + sx];
            }
        z[y * size + xx] = s;
      }
    return { A, z };
  }

  function handWeights(z: Float64Array, region: (p: number) => boolean): number[] {
    return [0, 1, 2].map((c) => {
      let sum = 0;
      for (let y = 0; y < size; y++)
        for (let x = 0; x < size; x++) {
          const p = y * size + x;
          if (!region(p) || !(z[p] > 0)) continue;
          for (let ky = 0; ky < 3; ky++)
            for (let kx = 0; kx < 3; kx++) {
              const sy = y + ky - 1;
              const sx = x + kx - 1;
              if (sy >= 0 && sy < size && sx >= 0 && sx < size) sum += W2[(c * 3 + ky) * 3 + kx];
            }
        }
      return sum / (size * size);
    });
  }

  test('weights and map equal the hand-derived gradient to 1e-4, for both targets', async () => {
    const image = greyImage(size, 21);
    const { A, z } = forward(image);
    // The derivation needs every z away from the ReLU's kink by more than a perturbation moves it.
    const scale = Math.sqrt(A.reduce((s, v) => s + v * v, 0) / A.length);
    const maxShift = 2 * 1e-3 * scale * W2.reduce((s, v) => s + Math.abs(v), 0);
    assert.ok(Math.min(...z.map(Math.abs)) > maxShift, 'test image too close to the kink');
    assert.ok(z.some((v) => v < 0) && z.some((v) => v > 0), 'both sides of the ReLU are exercised');

    const config = modelConfig('hand', 'hand.onnx', size, 1, { output: { activation: 'sigmoid', channel: 0, threshold: 0.5 } });
    const explainer = await ModelExplainer.create(config, build(), runtime, { layer: 'features' });
    try {
      assert.equal(explainer.layer.name, 'features');
      assert.deepEqual([explainer.layer.channels, explainer.layer.height, explainer.layer.width], [3, size, size]);
      // Target prediction: σ(ReLU(z)) ≥ 0.5 everywhere, so M is the whole image and the ReLU gates.
      const byPrediction = await explainer.explainImage(image, { method: 'gradcam', target: 'prediction' });
      assert.equal(byPrediction.targetPixels, size * size);
      const want = handWeights(z, () => true);
      want.forEach((w, c) => assert.ok(Math.abs(byPrediction.weights![c] - w) <= 1e-4, `channel ${c}: ${byPrediction.weights![c]} vs ${w}`));
      for (let p = 0; p < size * size; p++) {
        const cam = Math.max(0, want.reduce((s, w, c) => s + w * A[c * size * size + p], 0));
        assert.ok(Math.abs(byPrediction.cam[p] - cam) <= 1e-4, `cam at ${p}`);
        // The layer has the image's size: the heat is the map itself.
        assert.ok(Math.abs(byPrediction.heat[p] - byPrediction.cam[p]) <= 1e-6);
      }
      // Target reference: a checkerboard of 4×4 blocks.
      const inRef = (p: number) => ((Math.floor(p / size / 4) + Math.floor((p % size) / 4)) & 1) === 0;
      const reference = Uint8Array.from({ length: size * size }, (_, p) => (inRef(p) ? 1 : 0));
      const byReference = await explainer.explainImage(image, { method: 'gradcam', target: 'reference', reference });
      assert.equal(byReference.targetPixels, 32);
      handWeights(z, inRef).forEach((w, c) => assert.ok(Math.abs(byReference.weights![c] - w) <= 1e-4, `reference, channel ${c}: ${byReference.weights![c]} vs ${w}`));
    } finally {
      await explainer.dispose();
    }
  });
});

describe('Seg-Grad-CAM on a random U-Net', () => {
  test('exact gradients match float64 central differences of the reference evaluator to 1e-5; the difference fallback to 1e-3', async () => {
    const size = 16;
    for (const seed of [4, 6]) {
      const { bytes } = buildUNet({ inChannels: 1, channels: [4, 8, 16], size, seed });
      const image = greyImage(size, seed + 100);
      const r = createRandom(seed + 7);
      const reference = Uint8Array.from({ length: size * size }, () => (r.next() < 0.3 ? 1 : 0));
      const explainer = await ModelExplainer.create(modelConfig('unet', 'unet.onnx', size), bytes, runtime);
      let exact;
      let differences;
      try {
        assert.equal(explainer.layer.name, 'bottleneck');
        exact = await explainer.explainImage(image, { method: 'gradcam', target: 'reference', reference });
        differences = await explainer.explainImage(image, { method: 'gradcam', target: 'reference', reference, gradients: 'differences' });
      } finally {
        await explainer.dispose();
      }
      assert.equal(exact.gradient, 'exact');
      assert.equal(differences.gradient, 'differences');

      // Golden values: ∂(Σ_{p∈M} logits_p)/∂bottleneck by central differences in float64, then the spatial means.
      const proto = onnx.ModelProto.decode(bytes);
      const feeds = { image: { dims: [1, 1, size, size], data: Float64Array.from(image.data, (v) => v / 255) } };
      const grad = numericGradient(proto, feeds, 'bottleneck', 'logits', Float64Array.from(reference));
      const [C, h, w] = [16, size / 4, size / 4];
      const want = new Float64Array(C);
      for (let c = 0; c < C; c++) for (let i = 0; i < h * w; i++) want[c] += grad[c * h * w + i] / (h * w);
      let largest = 0;
      for (const v of want) largest = Math.max(largest, Math.abs(v));
      for (let c = 0; c < C; c++) {
        assert.ok(Math.abs(exact.weights![c] - want[c]) <= 1e-5 * largest, `seed ${seed} channel ${c}: exact ${exact.weights![c]} vs ${want[c]}`);
        assert.ok(Math.abs(differences.weights![c] - want[c]) <= 1e-3 * largest, `seed ${seed} channel ${c}: differences ${differences.weights![c]} vs ${want[c]}`);
      }
      assert.equal(exact.evaluations, 0, 'the backward pass rides along the forward run');
      assert.ok(differences.evaluations >= 2 * C);
      assert.deepEqual([exact.camWidth, exact.camHeight, exact.width, exact.height], [w, h, size, size]);
    }
  });
});
