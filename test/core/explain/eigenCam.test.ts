import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { eigenCam, jacobiEigen, leadingEigen, type FeatureMap } from '../../../server/src/core/explain';
import { createRandom } from '../../../server/src/core/util/random';

/** numpy SVD reference: test/fixtures/explain/make_pca_reference.py. */
const reference = JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'explain', 'pca_reference.json'), 'utf8')).eigencam as {
  channels: number;
  height: number;
  width: number;
  activations_nchw: number[];
  component: number[];
  projection: number[];
  explained_variance: number;
};

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what} length`);
  for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
}

describe('Eigen-CAM', () => {
  const { channels: C, height: h, width: w } = reference;
  const nchw = Float32Array.from(reference.activations_nchw);

  test('the projection is the first principal component of numpy’s SVD, oriented with the mean activation', () => {
    const result = eigenCam({ channels: C, height: h, width: w, layout: 'NCHW', data: nchw });
    close(result.component, reference.component, 1e-9, 'component');
    close(result.projection, reference.projection, 1e-9, 'projection');
    assert.ok(Math.abs(result.explainedVariance - reference.explained_variance) <= 1e-12);
    close(result.cam, reference.projection.map((v) => Math.max(0, v)), 1e-9, 'cam');
  });

  test('an NHWC feature map gives the same map', () => {
    const nhwc = new Float32Array(nchw.length);
    for (let c = 0; c < C; c++) for (let i = 0; i < h * w; i++) nhwc[i * C + c] = nchw[c * h * w + i];
    const result = eigenCam({ channels: C, height: h, width: w, layout: 'NHWC', data: nhwc });
    close(result.projection, reference.projection, 1e-9, 'projection');
  });

  test('a rank-one map: component (1, 2)/√5, projection along the pixel index, oriented to rise with the mean activation', () => {
    // Two channels, pixel i: A0 = i, A1 = 2i. PC1 ∝ (1, 2)/√5, projection ∝ centred i; the mean map rises with i, so it is positive at the end.
    const n = 6;
    const data = new Float32Array(2 * n);
    for (let i = 0; i < n; i++) {
      data[i] = i;
      data[n + i] = 2 * i;
    }
    const map: FeatureMap = { channels: 2, height: 2, width: 3, layout: 'NCHW', data };
    const r = eigenCam(map);
    close(r.component, [1 / Math.sqrt(5), 2 / Math.sqrt(5)], 1e-12, 'component');
    close(r.projection, Array.from({ length: n }, (_, i) => (i - 2.5) * Math.sqrt(5)), 1e-9, 'projection');
    assert.ok(Math.abs(r.explainedVariance - 1) < 1e-12);
    // An orientation map (the model's foreground probability) that falls with i wins over the mean activation.
    const flipped = eigenCam(map, Array.from({ length: n }, (_, i) => 1 - i / n));
    close(flipped.projection, Array.from({ length: n }, (_, i) => (2.5 - i) * Math.sqrt(5)), 1e-9, 'oriented projection');
    close(flipped.cam, Array.from({ length: n }, (_, i) => Math.max(0, (2.5 - i) * Math.sqrt(5))), 1e-9, 'oriented cam');
  });
});

describe('eigen solvers', () => {
  test('Jacobi: A·v = λ·v for each returned pair, values sorted, vectors orthonormal', () => {
    const n = 7;
    const r = createRandom(2);
    const m = Array.from({ length: n * n }, () => r.normal());
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) a[i * n + j] += m[i * n + k] * m[j * n + k];
    const e = jacobiEigen(a, n);
    for (let p = 0; p < n; p++) {
      if (p > 0) assert.ok(e.values[p] <= e.values[p - 1]);
      for (let i = 0; i < n; i++) {
        let av = 0;
        for (let j = 0; j < n; j++) av += a[i * n + j] * e.vectors[p * n + j];
        assert.ok(Math.abs(av - e.values[p] * e.vectors[p * n + i]) < 1e-9);
      }
      for (let q = 0; q <= p; q++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += e.vectors[p * n + i] * e.vectors[q * n + i];
        assert.ok(Math.abs(dot - (p === q ? 1 : 0)) < 1e-12);
      }
    }
  });

  test('subspace iteration finds the leading pair of a matrix with a tiny gap after λ₁', () => {
    // diag(10, 9.999, 5, 1, …): power iteration alone would crawl; the block converges with λ₆/λ₁.
    const d = 12;
    const diag = [10, 9.999, 5, 1, 0.5, 0.25, 0.1, 0.05, 0.01, 0.01, 0.01, 0.01];
    const e = leadingEigen(d, 1, (rows, count, out) => {
      for (let r = 0; r < count; r++) for (let i = 0; i < d; i++) out[r * d + i] = diag[i] * rows[r * d + i];
    });
    assert.ok(Math.abs(e.values[0] - 10) < 1e-9);
    assert.ok(Math.abs(Math.abs(e.vectors[0]) - 1) < 1e-6);
  });
});
