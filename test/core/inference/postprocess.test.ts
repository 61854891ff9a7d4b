import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  countNonFinite,
  foregroundProbability,
  resizeProbability,
  scoreMapShape,
  thresholdProbability,
} from '../../../server/src/core/inference';

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-6): void {
  assert.equal(actual.length, expected.length, 'length');
  for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `index ${i}: ${actual[i]} vs ${expected[i]}`);
}

// σ(−1), σ(0), σ(2), by hand (1 / (1 + e^−x)).
const SIGMOID = { m1: 0.2689414213699951, z: 0.5, p2: 0.8807970779778823 };

describe('postprocess', () => {
  test('score map shapes: NCHW, NHWC, and 3-D [N, H, W]', () => {
    assert.deepEqual(scoreMapShape([2, 3, 4, 5], 'NCHW'), { channels: 3, height: 4, width: 5, layout: 'NCHW' });
    assert.deepEqual(scoreMapShape([2, 4, 5, 3], 'NHWC'), { channels: 3, height: 4, width: 5, layout: 'NHWC' });
    assert.deepEqual(scoreMapShape([2, 4, 5], 'NCHW'), { channels: 1, height: 4, width: 5, layout: 'NCHW' });
    assert.throws(() => scoreMapShape([2, 10], 'NCHW'), /expected \[N, C, H, W\]/);
  });

  test('sigmoid on a one-channel map ignores the configured channel', () => {
    const scores = Float32Array.from([-1, 0, 2]);
    const shape = scoreMapShape([1, 1, 1, 3], 'NCHW');
    assertClose(foregroundProbability(scores, shape, { activation: 'sigmoid', channel: 1 }), [SIGMOID.m1, SIGMOID.z, SIGMOID.p2]);
  });

  test('softmax over two channels takes the foreground share; the same in NHWC; an offset picks the sample', () => {
    // Pixel scores (bg, fg): (0, 0), (0, 2), (1, 0) → fg shares 1/2, e²/(1+e²), 1/(1+e).
    const expected = [0.5, Math.E ** 2 / (1 + Math.E ** 2), 1 / (1 + Math.E)];
    const nchw = Float32Array.from([99, 99, 99, 99, 99, 99, /* sample 1: */ 0, 0, 1, 0, 2, 0]);
    assertClose(foregroundProbability(nchw, scoreMapShape([2, 2, 1, 3], 'NCHW'), { activation: 'softmax', channel: 1 }, 6), expected);
    const nhwc = Float32Array.from([0, 0, 0, 2, 1, 0]);
    assertClose(foregroundProbability(nhwc, scoreMapShape([1, 1, 3, 2], 'NHWC'), { activation: 'softmax', channel: 1 }), expected);
    // Channel 0 is the complement.
    assertClose(foregroundProbability(nhwc, scoreMapShape([1, 1, 3, 2], 'NHWC'), { activation: 'softmax', channel: 0 }), expected.map((p) => 1 - p));
  });

  test('softmax is stable for large scores; none passes values through', () => {
    const scores = Float32Array.from([1000, 1001]);
    assertClose(foregroundProbability(scores, scoreMapShape([1, 2, 1, 1], 'NCHW'), { activation: 'softmax', channel: 1 }), [1 / (1 + Math.exp(-1))]);
    assertClose(foregroundProbability(Float32Array.from([0.1, 0.7, 0.3, 0.9]), scoreMapShape([1, 2, 1, 2], 'NCHW'), { activation: 'none', channel: 1 }), [0.3, 0.9]);
  });

  test('an out-of-range channel is an error', () => {
    assert.throws(() => foregroundProbability(new Float32Array(4), scoreMapShape([1, 2, 1, 2], 'NCHW'), { activation: 'softmax', channel: 2 }), /out of range/);
  });

  test('threshold: p ≥ t is foreground; resizing back is bilinear', () => {
    assert.deepEqual([...thresholdProbability(Float32Array.from([0.49, 0.5, 0.51, 0]), 0.5)], [0, 1, 1, 0]);
    assertClose(resizeProbability(Float32Array.from([0, 1]), 2, 1, 4, 1), [0, 0.25, 0.75, 1]);
  });

  test('counts NaN and infinities in a range', () => {
    const v = Float32Array.from([0, NaN, Infinity, -Infinity, 1]);
    assert.equal(countNonFinite(v), 3);
    assert.equal(countNonFinite(v, 3, 5), 1);
  });
});
