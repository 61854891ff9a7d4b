// One region from a model's every-channel prediction (issue 16): softmax regions sum their labels'
// channels and take the argmax label; sigmoid regions are their channel. Values by hand.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { argmaxChannel, regionPrediction } from '../../../server/src/core/evaluate/regionPrediction';
import { InputError } from '../../../server/src/core/findings';

// Four voxels, three channels (background, kidney 1, tumour 2), channel after channel.
const q = Uint16Array.from([
  40000, 10000, 20000, 30000, // background
  20000, 50000, 20000, 30000, // kidney
  5535, 5535, 25535, 5535, // tumour
]);
const all = { width: 2, height: 2, depth: 1, prob: q, planes: 3 };

test('softmax: the region probability is its channels\' sum, the mask the argmax label in the region', () => {
  const kidney = regionPrediction(all, { kind: 'softmax', labels: [1, 2] }, 'm.onnx', 'm');
  assert.deepEqual(Array.from(kidney.prob), [25535, 55535, 45535, 35535]);
  // argmax by voxel: 0 (bg), 1 (kidney), 2 (tumour), 0 (a tie of bg and kidney: the first, as numpy)
  assert.deepEqual(Array.from(kidney.mask!), [0, 1, 1, 0]);
  const tumour = regionPrediction(all, { kind: 'softmax', labels: [2] }, 'm.onnx', 'm');
  assert.deepEqual(Array.from(tumour.prob), [5535, 5535, 25535, 5535]);
  assert.deepEqual(Array.from(tumour.mask!), [0, 0, 1, 0]);
  // The sum is clamped at 1 (65535) when rounding makes the channels add up to more.
  const over = regionPrediction({ ...all, prob: Uint16Array.from([0, 0, 0, 0, 32768, 0, 0, 0, 32768, 0, 0, 0]) }, { kind: 'softmax', labels: [1, 2] }, 'm.onnx', 'm');
  assert.equal(over.prob[0], 65535);
});

test('the argmax cached from the float scores decides ties that 16-bit rounding made', () => {
  // Voxel 3 is a tie after quantising; the model's floats had kidney ahead.
  const kidney = regionPrediction({ ...all, argmax: Uint8Array.from([0, 1, 2, 1]) }, { kind: 'softmax', labels: [1, 2] }, 'm.onnx', 'm');
  assert.deepEqual(Array.from(kidney.mask!), [0, 1, 1, 1]);
  assert.deepEqual(Array.from(argmaxChannel(Float32Array.from([0.5, 0.2, 0.5000001, 0.8]), 2)), [1, 1]);
});

test('output.labels maps channels to labels; a region label no channel holds is an error naming it', () => {
  // Channels are labels 0, 2, 1: the kidney-only region [1] is the third channel.
  const kidneyOnly = regionPrediction(all, { kind: 'softmax', channelLabels: [0, 2, 1], labels: [1] }, 'm.onnx', 'm');
  assert.deepEqual(Array.from(kidneyOnly.prob), [5535, 5535, 25535, 5535]);
  assert.throws(() => regionPrediction(all, { kind: 'softmax', labels: [3] }, 'm.onnx', 'm'), (e: InputError) => e.code === 'model/region-channels' && /label 3/.test(e.message));
  assert.throws(() => regionPrediction(all, { kind: 'softmax', channelLabels: [0, 1], labels: [1] }, 'm.onnx', 'm'), /3 channels but `output.labels` lists 2/);
});

test('sigmoid: a region is its own channel, thresholded by the caller (no mask)', () => {
  const tumour = regionPrediction(all, { kind: 'sigmoid', channel: 2 }, 'm.onnx', 'm');
  assert.deepEqual(Array.from(tumour.prob), [5535, 5535, 25535, 5535]);
  assert.equal(tumour.mask, undefined);
  assert.throws(() => regionPrediction(all, { kind: 'sigmoid', channel: 3 }, 'm.onnx', 'm'), /channel 3 does not exist/);
});
