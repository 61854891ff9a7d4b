import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { binarize, readMask, writeNifti, type ImageVolume } from '../../../server/src/core/io';
import { buildPng, makeTempDir } from './helpers';

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
