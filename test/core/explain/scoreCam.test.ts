import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ModelExplainer } from '../../../server/src/core/explain';
import type { ImageVolume } from '../../../server/src/core/io/types';
import { GraphBuilder } from '../../../server/src/core/onnx';
import { modelConfig } from './support';

describe('Score-CAM', () => {
  // x → A = ReLU(w·x + b) (3 channels, full resolution: no upsampling) → logits = Σ_c v_c A_c + bv.
  const size = 6;
  const w = [1.5, -2, 0.7];
  const b = [-0.3, 1.2, 0.1];
  const v = [0.8, -0.5, 1.1];
  const bv = -0.2;
  const build = () => {
    const g = new GraphBuilder('score');
    const x = g.input('x', ['N', 1, size, size]);
    const a = g.relu(g.conv(x, { weights: w, shape: [3, 1, 1, 1], bias: b }), 'features');
    g.output(g.conv(a, { weights: v, shape: [1, 3, 1, 1], bias: [bv] }), ['N', 1, size, size]);
    return g.build();
  };
  const pixels = Uint8Array.from({ length: size * size }, (_, i) => (i * 37 + 11) % 256);
  const image: ImageVolume = { width: size, height: size, depth: 1, channels: 1, data: pixels, bitDepth: 8, spacing: [1, 1, 1], spacingKnown: false, format: 'png' };
  const reference = Uint8Array.from({ length: size * size }, (_, i) => (i % size < 3 ? 1 : 0));

  test('weights are the softmax of the mean target score of the input masked by each min–max scaled channel', async () => {
    const x = Array.from(pixels, (p) => p / 255);
    const act = (c: number, xi: number) => Math.max(0, w[c] * xi + b[c]);
    const logits = (input: number[]) => input.map((xi) => v.reduce((s, vc, c) => s + vc * act(c, xi), bv));
    const scores = [0, 1, 2].map((c) => {
      const a = x.map((xi) => act(c, xi));
      const lo = Math.min(...a);
      const hi = Math.max(...a);
      const masked = x.map((xi, i) => xi * (hi > lo ? (a[i] - lo) / (hi - lo) : 0));
      const out = logits(masked);
      let s = 0;
      let n = 0;
      out.forEach((o, i) => {
        if (reference[i]) {
          s += o;
          n++;
        }
      });
      return s / n;
    });
    const max = Math.max(...scores);
    const exps = scores.map((s) => Math.exp(s - max));
    const weights = exps.map((e) => e / exps.reduce((p, q) => p + q, 0));

    const explainer = await ModelExplainer.create(modelConfig('score', 'score.onnx', size), build(), { provider: 'cpu', batch: 2, threads: 1 }, { layer: 'features' });
    try {
      const r = await explainer.explainImage(image, { method: 'scorecam', target: 'reference', reference });
      scores.forEach((s, c) => assert.ok(Math.abs(r.scores![c] - s) <= 1e-5, `score ${c}: ${r.scores![c]} vs ${s}`));
      weights.forEach((wc, c) => assert.ok(Math.abs(r.weights![c] - wc) <= 1e-5, `weight ${c}: ${r.weights![c]} vs ${wc}`));
      assert.equal(r.evaluations, 3);
      x.forEach((xi, p) => {
        const cam = Math.max(0, weights.reduce((s, wc, c) => s + wc * act(c, xi), 0));
        assert.ok(Math.abs(r.cam[p] - cam) <= 1e-5, `cam ${p}`);
      });
    } finally {
      await explainer.dispose();
    }
  });

  test('an empty target (the model predicts nothing) gives an all-zero map and no runs', async () => {
    const explainer = await ModelExplainer.create(modelConfig('score', 'score.onnx', size, 1, { output: { activation: 'sigmoid', channel: 0, threshold: 0.999999 } }), build(), { provider: 'cpu', batch: 2, threads: 1 }, { layer: 'features' });
    try {
      for (const method of ['scorecam', 'gradcam'] as const) {
        const r = await explainer.explainImage(image, { method, target: 'prediction' });
        assert.equal(r.targetPixels, 0);
        assert.equal(r.evaluations, 0);
        assert.ok(r.heat.every((h) => h === 0));
      }
    } finally {
      await explainer.dispose();
    }
  });
});
