import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { binarize, readMask, writeNifti, type ImageVolume } from '../../../server/src/core/io';
import { foregroundRuleProblem, predictionRuleProblem } from '../../../server/src/core/io/maskCheck';
import { buildNifti, buildPng, makeTempDir, sampleBytes } from './helpers';

function volume(data: ImageVolume['data'], channels = 1, width = data.length / channels): ImageVolume {
  return { width, height: 1, depth: 1, channels, data, bitDepth: 8, spacing: [0.5, 0.5, 1], spacingKnown: true, format: 'png' };
}

describe('binarize', () => {
  test("'nonzero': any value but 0 (and NaN) is foreground, for every sample type", () => {
    assert.deepEqual(Array.from(binarize(volume(new Uint8Array([0, 1, 255, 0])), { kind: 'nonzero' }).data), [0, 1, 1, 0]);
    assert.deepEqual(Array.from(binarize(volume(new Uint16Array([0, 65535, 2])), { kind: 'nonzero' }).data), [0, 1, 1]);
    assert.deepEqual(Array.from(binarize(volume(new Int16Array([-1, 0, 3])), { kind: 'nonzero' }).data), [1, 0, 1]);
    assert.deepEqual(Array.from(binarize(volume(new Float32Array([0, -0, 0.001, NaN, -2])), { kind: 'nonzero' }).data), [0, 0, 1, 0, 1]);
  });

  test("'values': only the listed labels (KiTS kidney + tumour = [1, 2])", () => {
    const labels = new Uint8Array([0, 1, 2, 3, 2, 1, 0]);
    assert.deepEqual(Array.from(binarize(volume(labels), { kind: 'values', values: [1, 2] }).data), [0, 1, 1, 0, 1, 1, 0]);
    assert.deepEqual(Array.from(binarize(volume(labels), { kind: 'values', values: [2] }).data), [0, 0, 1, 0, 1, 0, 0]);
    assert.deepEqual(Array.from(binarize(volume(new Uint8Array([255, 254, 0])), { kind: 'values', values: [255] }).data), [1, 0, 0]);
    assert.deepEqual(Array.from(binarize(volume(new Uint16Array([1000, 1, 0])), { kind: 'values', values: [1000, -1, 70000] }).data), [1, 0, 0]);
    assert.deepEqual(Array.from(binarize(volume(new Float32Array([1, 1.5, 2])), { kind: 'values', values: [1.5] }).data), [0, 1, 0]);
  });

  test("colour masks: 'nonzero' looks at every colour channel; alpha is ignored; geometry is carried over", () => {
    // RGB: pixel 0 is (0, 255, 255) and pixel 1 (255, 0, 0): both have a non-zero colour channel; pixel 2 is black
    const rgb = binarize(volume(new Uint8Array([0, 255, 255, 255, 0, 0, 0, 0, 0]), 3), { kind: 'nonzero' });
    assert.deepEqual(Array.from(rgb.data), [1, 1, 0]);
    // RGBA: black with alpha 255 is background, green with alpha 0 is foreground
    const rgba = binarize(volume(new Uint8Array([0, 0, 0, 255, 0, 200, 0, 0]), 4), { kind: 'nonzero' });
    assert.deepEqual(Array.from(rgba.data), [0, 1]);
    // grey + alpha: alpha 255 on a 0 pixel is still background
    const greyAlpha = binarize(volume(new Uint8Array([0, 255, 255, 0]), 2), { kind: 'nonzero' });
    assert.deepEqual(Array.from(greyAlpha.data), [0, 1]);
    assert.deepEqual([rgb.width, rgb.height, rgb.depth, rgb.spacing, rgb.spacingKnown], [3, 1, 1, [0.5, 0.5, 1], true]);
  });
});

describe('readMask', () => {
  test('an RGBA PNG mask (ISIC style, saved as colour) with each rule', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      const file = join(dir, 'ISIC_0000000_segmentation.png');
      // Grey values repeated in R, G and B; alpha says nothing about the label.
      const pixels = [[0, 0, 0, 255], [255, 255, 255, 255], [255, 255, 255, 0], [9, 9, 9, 255]];
      writeFileSync(file, buildPng({ width: 2, height: 2, colourType: 6, bitDepth: 8, samples: pixels.flat() }));
      assert.deepEqual(Array.from((await readMask(file, { kind: 'nonzero' })).data), [0, 1, 1, 1]);
      assert.deepEqual(Array.from((await readMask(file, { kind: 'values', values: [255] })).data), [0, 1, 1, 0]);
    } finally {
      cleanup();
    }
  });

  test('a palette PNG label map counts by index, not by colour', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      const file = join(dir, 'labels.png');
      // index 2 is drawn pure green: its red channel is 0, yet it is label 2
      const palette: [number, number, number][] = [[0, 0, 0], [255, 0, 0], [0, 255, 0]];
      writeFileSync(file, buildPng({ width: 3, height: 2, colourType: 3, bitDepth: 8, samples: [0, 1, 2, 2, 1, 0], palette }));
      assert.deepEqual(Array.from((await readMask(file, { kind: 'nonzero' })).data), [0, 1, 1, 1, 1, 0]);
      assert.deepEqual(Array.from((await readMask(file, { kind: 'values', values: [2] })).data), [0, 0, 1, 1, 0, 0]);
    } finally {
      cleanup();
    }
  });

  test('a KiTS-style NIfTI label volume: whole, one slice, and the header carried for writing', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      const file = join(dir, 'case_00000/segmentation.nii.gz');
      const labels = new Uint8Array([0, 1, 2, 0, /* z = 1 */ 2, 2, 1, 0]);
      await writeNifti(file, { width: 2, height: 2, depth: 2, data: labels, spacing: [0.8, 0.8, 3] });
      const kidneyAndTumour = await readMask(file, { kind: 'values', values: [1, 2] });
      assert.deepEqual(Array.from(kidneyAndTumour.data), [0, 1, 1, 0, 1, 1, 1, 0]);
      assert.equal(kidneyAndTumour.depth, 2);
      assert.deepEqual(kidneyAndTumour.spacing.map((s) => Math.fround(s)), [0.8, 0.8, 3].map(Math.fround));
      assert.equal(kidneyAndTumour.nifti?.dims[3], 2);
      const tumourSlice1 = await readMask(file, { kind: 'values', values: [2] }, { slice: 1 });
      assert.deepEqual([Array.from(tumourSlice1.data), tumourSlice1.depth], [[1, 1, 0, 0], 1]);
    } finally {
      cleanup();
    }
  });
});

describe('foreground rule checks (issue 13: a mask that misses the rule is never a silent empty reference)', () => {
  async function maskFile(spec: Parameters<typeof buildPng>[0]): Promise<{ file: string; cleanup: () => void }> {
    const { dir, cleanup } = makeTempDir();
    const file = join(dir, 'm.png');
    writeFileSync(file, buildPng(spec));
    return { file, cleanup };
  }
  const rejects = async (file: string, rule: Parameters<typeof readMask>[1], code: string, message: RegExp) => {
    await assert.rejects(readMask(file, rule), (err: Error & { code?: string }) => {
      assert.equal(err.name, 'InputError');
      assert.equal(err.code, code);
      assert.match(err.message, message);
      return true;
    });
  };

  test('a 0/1 mask with `foreground: 255`: refused, naming the value the mask uses', async () => {
    const { file, cleanup } = await maskFile({ width: 3, height: 1, colourType: 0, bitDepth: 8, samples: [0, 1, 1] });
    try {
      await rejects(file, { kind: 'values', values: [255] }, 'mask/foreground-rule-matches-nothing', /2 non-zero pixels \(value 1\).*`foreground: 255` matches none/);
      // The default rule reads it as it is meant: two foreground pixels.
      assert.deepEqual(Array.from((await readMask(file, { kind: 'nonzero' })).data), [0, 1, 1]);
    } finally {
      cleanup();
    }
  });

  test('a 16-bit 0/65535 mask with `foreground: 255`: refused, suggesting 65535 or nonzero', async () => {
    const { file, cleanup } = await maskFile({ width: 2, height: 2, colourType: 0, bitDepth: 16, samples: [0, 65535, 65535, 65535] });
    try {
      await rejects(file, { kind: 'values', values: [255] }, 'mask/foreground-rule-matches-nothing', /3 non-zero pixels \(value 65535\).*`foreground: 65535`.*`nonzero`/);
      assert.deepEqual(Array.from((await readMask(file, { kind: 'values', values: [65535] })).data), [0, 1, 1, 1]);
    } finally {
      cleanup();
    }
  });

  test('an RGB green-on-black mask: foreground under `nonzero` (any colour channel), refused under a value list', async () => {
    const green = [0, 255, 0];
    const black = [0, 0, 0];
    const { file, cleanup } = await maskFile({ width: 3, height: 1, colourType: 2, bitDepth: 8, samples: [...black, ...green, ...green] });
    try {
      assert.deepEqual(Array.from((await readMask(file, { kind: 'nonzero' })).data), [0, 1, 1]);
      await rejects(file, { kind: 'values', values: [255] }, 'mask/colour-labels', /colour mask \(pixel \(1, 0\) is \(0, 255, 0\)\).*`foreground: nonzero`/);
    } finally {
      cleanup();
    }
  });

  test('a label map without the target label: refused unless its labels are declared as other structures', async () => {
    // KiTS-style slice with kidney (1) and no tumour (2), target = tumour.
    const { file, cleanup } = await maskFile({ width: 4, height: 1, colourType: 0, bitDepth: 8, samples: [0, 1, 1, 0] });
    try {
      await rejects(file, { kind: 'values', values: [2] }, 'mask/foreground-rule-matches-nothing', /`dataset\.other_labels`/);
      const empty = await readMask(file, { kind: 'values', values: [2], otherLabels: [1] });
      assert.deepEqual(Array.from(empty.data), [0, 0, 0, 0]);
    } finally {
      cleanup();
    }
  });

  test('an all-zero mask is a true empty reference under any rule; a grey mask saved as RGB reads its grey value', async () => {
    const zero = await maskFile({ width: 2, height: 1, colourType: 0, bitDepth: 8, samples: [0, 0] });
    const greyRgb = await maskFile({ width: 2, height: 1, colourType: 2, bitDepth: 8, samples: [0, 0, 0, 255, 255, 255] });
    try {
      assert.deepEqual(Array.from((await readMask(zero.file, { kind: 'values', values: [255] })).data), [0, 0]);
      assert.deepEqual(Array.from((await readMask(greyRgb.file, { kind: 'values', values: [255] })).data), [0, 1]);
    } finally {
      zero.cleanup();
      greyRgb.cleanup();
    }
  });
});

describe('exhaustive rules (issue 16: with `dataset.regions` a value no region names is refused, never background)', () => {
  // KiTS21 labels: kidney 1, tumour 2, cyst 3. Regions kidney [1, 2] and tumour [2], no other_labels.
  const kidney = { kind: 'values', values: [1, 2], exhaustive: true } as const;
  const tumour = { kind: 'values', values: [2], otherLabels: [1], exhaustive: true } as const;

  async function written(name: string, bytes: Uint8Array): Promise<{ file: string; cleanup: () => void }> {
    const { dir, cleanup } = makeTempDir();
    const file = join(dir, name);
    writeFileSync(file, bytes);
    return { file, cleanup };
  }
  const refusal = async (promise: Promise<unknown>, code: string): Promise<string> => {
    let message = '';
    await assert.rejects(promise, (err: Error & { code?: string; file?: string }) => {
      assert.equal(err.name, 'InputError');
      assert.equal(err.code, code);
      message = err.message;
      return true;
    });
    return message;
  };

  test('a PNG label map with a cyst (3): refused for every region, naming the file, the value, its pixel count, the named labels and both fixes', async () => {
    const { file, cleanup } = await written('case_00002.png', buildPng({ width: 4, height: 2, colourType: 0, bitDepth: 8, samples: [0, 1, 2, 3, 3, 1, 0, 0] }));
    try {
      for (const rule of [kidney, tumour]) {
        const message = await refusal(readMask(file, rule), 'mask/unnamed-labels');
        assert.ok(message.startsWith(`${file} has 2 pixels with value 3 that no region names`), message);
        assert.match(message, /`dataset\.regions` and `dataset\.other_labels` name 1, 2\)/);
        assert.match(message, /Add the value to the region it belongs to in `dataset\.regions`, or, .* to `dataset\.other_labels`/);
      }
      // Named as another structure, the cyst is background of both regions: kidney = {1, 2}, tumour = {2}.
      assert.deepEqual(Array.from((await readMask(file, { ...kidney, otherLabels: [3] })).data), [0, 1, 1, 0, 0, 1, 0, 0]);
      assert.deepEqual(Array.from((await readMask(file, { ...tumour, otherLabels: [1, 3] })).data), [0, 0, 1, 0, 0, 0, 0, 0]);
      // Without the flag the rule is what it was: the cyst is background, silently (byte-for-byte the old mask).
      assert.deepEqual(Array.from((await readMask(file, { kind: 'values', values: [1, 2] })).data), [0, 1, 1, 0, 0, 1, 0, 0]);
    } finally {
      cleanup();
    }
  });

  test('many unnamed values: sorted, six quoted and an ellipsis; a case without the region but only named labels is a true empty reference', async () => {
    const samples = [0, 9, 8, 7, 6, 5, 4, 3, 1, 0];
    const { file, cleanup } = await written('many.png', buildPng({ width: 10, height: 1, colourType: 0, bitDepth: 8, samples }));
    const kidneyOnly = await written('kidney-only.png', buildPng({ width: 3, height: 1, colourType: 0, bitDepth: 8, samples: [0, 1, 1] }));
    try {
      const message = await refusal(readMask(file, kidney), 'mask/unnamed-labels');
      // The first seven distinct unnamed values met are 9, 8, 7, 6, 5, 4, 3; sorted, six of them are quoted.
      assert.match(message, /has 7 pixels with values 3, 4, 5, 6, 7, 8, … that no region names/);
      assert.deepEqual(Array.from((await readMask(kidneyOnly.file, tumour)).data), [0, 0, 0]);
    } finally {
      cleanup();
      kidneyOnly.cleanup();
    }
  });

  test('NIfTI label volumes (int16 and float32, as nnU-Net and MSD write them): the same rule, NaN is background', async () => {
    const dims = [3, 2, 2, 2, 1, 1, 1, 1];
    const pixdim = [1, 0.8, 0.8, 3, 0, 0, 0, 0];
    const labels = [0, 1, 2, 0, 2, 2, 4, 0];
    const int16 = await written('seg16.nii', buildNifti({ version: 1, littleEndian: true, dims, datatype: 4, bitpix: 16, pixdim, data: sampleBytes(labels, 'int16', true) }));
    const float32 = await written('segf.nii', buildNifti({ version: 1, littleEndian: true, dims, datatype: 16, bitpix: 32, pixdim, data: sampleBytes([0, 1, 2, NaN, 2, 2, 0, 0], 'float32', true) }));
    try {
      const message = await refusal(readMask(int16.file, kidney), 'mask/unnamed-labels');
      assert.ok(message.startsWith(`${int16.file} has 1 pixel with value 4 that no region names`), message);
      assert.deepEqual(Array.from((await readMask(int16.file, { ...kidney, otherLabels: [4] })).data), [0, 1, 1, 0, 1, 1, 0, 0]);
      assert.deepEqual(Array.from((await readMask(float32.file, tumour)).data), [0, 0, 1, 0, 1, 1, 0, 0]);
    } finally {
      int16.cleanup();
      float32.cleanup();
    }
  });

  test('value lists on signed 16-bit samples (NIfTI int16) by table: negative labels, the extremes, and values no sample can hold', () => {
    const v = volume(new Int16Array([-1, 0, 3, -32768, 32767, 2]));
    assert.deepEqual(Array.from(binarize(v, { kind: 'values', values: [-1, 32767, 70000, 1.5, 2] }).data), [1, 0, 0, 0, 1, 1]);
    assert.deepEqual(Array.from(binarize(v, { kind: 'values', values: [-32768] }).data), [0, 0, 0, 1, 0, 0]);
  });

  test('a colour mask under an exhaustive rule is a colour problem first (its red channel is no label)', async () => {
    const { file, cleanup } = await written('rgb.png', buildPng({ width: 2, height: 1, colourType: 2, bitDepth: 8, samples: [0, 0, 0, 7, 0, 0] }));
    try {
      await refusal(readMask(file, kidney), 'mask/colour-labels');
    } finally {
      cleanup();
    }
  });

  test('a label-map prediction with an unnamed label: `prediction/unnamed-labels`, with the fixes that fit a model', () => {
    const v = volume(new Uint8Array([0, 1, 5, 2]));
    const problem = predictionRuleProblem('preds/case_1.png', v, binarize(v, kidney), kidney);
    assert.equal(problem?.code, 'prediction/unnamed-labels');
    assert.equal(problem?.file, 'preds/case_1.png');
    assert.match(problem!.message, /^preds\/case_1\.png \(a label-map prediction\) has 1 pixel with value 5 that no region names \(`dataset\.regions` and `dataset\.other_labels` name 1, 2\)/);
    assert.match(problem!.message, /relabel its prediction files/);
    // The reference role (the default) gives the reference's code.
    assert.equal(foregroundRuleProblem('m.png', v, binarize(v, kidney), kidney)?.code, 'mask/unnamed-labels');
    const named = volume(new Uint8Array([0, 1, 2, 2]));
    assert.equal(predictionRuleProblem('p.png', named, binarize(named, kidney), kidney), undefined);
  });
});
