// How a stored prediction's values become probabilities (issue 13, the prediction side of items
// 1-2): colour files and label maps are never read through channel 0 or as value/255 silently.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { predictionFileProbabilities } from '../../../server/src/core/evaluate/predictionValues';
import { image } from '../inference/support';

const rgb = (...pixels: number[][]) => image(pixels.length, 1, 3, Uint8Array.from(pixels.flat()));
const grey = (...values: number[]) => image(values.length, 1, 1, Uint8Array.from(values));
const values = (v: number[]) => ({ kind: 'values' as const, values: v });
const nonzero = { kind: 'nonzero' as const };

function refuses(run: () => unknown, code: string, message: RegExp): void {
  assert.throws(run, (err: Error & { code?: string }) => err.name === 'InputError' && err.code === code && message.test(err.message));
}

describe('predictionFileProbabilities', () => {
  test('auto: a binary file (0/1 or 0/255) is a mask; an 8-bit probability map is value/255; a float volume is clamped', () => {
    assert.deepEqual(Array.from(predictionFileProbabilities('p.png', grey(0, 1, 1), 'auto', nonzero)), [0, 1, 1]);
    assert.deepEqual(Array.from(predictionFileProbabilities('p.png', grey(0, 255), 'auto', values([255]))), [0, 1]);
    assert.deepEqual(Array.from(predictionFileProbabilities('p.png', grey(0, 51, 255), 'auto', nonzero)), [0, Math.fround(51 / 255), 1]);
    const float = image(3, 1, 1, Float32Array.from([-0.5, 0.25, 2]));
    assert.deepEqual(Array.from(predictionFileProbabilities('p.nii', float, 'auto', nonzero)), [0, 0.25, 1]);
  });

  test('auto: a green-on-black colour mask is read by colour (was channel 0: empty); a multi-colour map is refused', () => {
    assert.deepEqual(Array.from(predictionFileProbabilities('p.png', rgb([0, 0, 0], [0, 255, 0], [0, 255, 0]), 'auto', nonzero)), [0, 1, 1]);
    // Grey saved as RGB is grey.
    assert.deepEqual(Array.from(predictionFileProbabilities('p.png', rgb([0, 0, 0], [51, 51, 51], [255, 255, 255]), 'auto', nonzero)), [0, Math.fround(51 / 255), 1]);
    refuses(() => predictionFileProbabilities('jet.png', rgb([0, 0, 128], [0, 255, 0], [255, 0, 0]), 'auto', nonzero), 'prediction/colour-map', /jet\.png is a colour image with several colours/);
  });

  test('auto: a label map in the references\' labels is refused (read as value/255 it was empty); `labels` binarises it like the references', () => {
    const labelMap = grey(0, 1, 2, 2);
    refuses(() => predictionFileProbabilities('nn.png', labelMap, 'auto', values([1, 2])), 'prediction/ambiguous-values', /holds only the values 1, 2.*`prediction_values: labels`.*`prediction_values: probabilities`/);
    assert.deepEqual(Array.from(predictionFileProbabilities('nn.png', labelMap, 'labels', values([1, 2]))), [0, 1, 1, 1]);
    assert.deepEqual(Array.from(predictionFileProbabilities('nn.png', labelMap, 'labels', { kind: 'values', values: [2], otherLabels: [1] })), [0, 0, 1, 1]);
    assert.deepEqual(Array.from(predictionFileProbabilities('nn.png', labelMap, 'labels', nonzero)), [0, 1, 1, 1]);
    // Explicit probabilities: value/255, as asked.
    assert.deepEqual(Array.from(predictionFileProbabilities('nn.png', labelMap, 'probabilities', values([1, 2]))), [0, Math.fround(1 / 255), Math.fround(2 / 255), Math.fround(2 / 255)]);
  });

  test('`labels` applies the references\' checks: values none of which is a label are refused', () => {
    refuses(() => predictionFileProbabilities('p.png', grey(0, 1, 1), 'labels', values([255])), 'mask/foreground-rule-matches-nothing', /p\.png has 2 non-zero pixels \(value 1\)/);
  });
});
