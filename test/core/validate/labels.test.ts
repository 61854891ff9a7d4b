/**
 * Issue 16, diagnostics of label maps: `medseg validate` (validateExperiment) on small generated
 * PNG and NIfTI label maps. Regions never present (in the data set, in an evaluated split), values
 * no region names, and label maps that `foreground: nonzero` merges; and no warning for binary
 * masks in any convention or for anti-aliased masks.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import type { Finding } from '../../../server/src/core/findings';
import { validateExperiment } from '../../../server/src/core/validate';
import { buildNifti, buildPng, makeTempDir, sampleBytes } from '../io/helpers';

const W = 5;
const H = 5;
const OURS = /^(region\/|mask\/(unnamed-labels|label-map|colour-labels))/;

interface Case {
  id: string;
  split?: 'train' | 'val' | 'test';
  /** Label values of the mask's first pixels; the rest are 0. */
  labels: number[];
  /** PNG sample format of the mask (default 8-bit grey). */
  png?: { bitDepth: 8 | 16 };
}

function put(dir: string, file: string, bytes: Uint8Array | string): void {
  mkdirSync(dirname(join(dir, file)), { recursive: true });
  writeFileSync(join(dir, file), bytes);
}

function pngWorkspace(dir: string, cases: readonly Case[], dataset: string[], extra: string[] = []): string {
  for (const c of cases) {
    put(dir, `images/${c.id}.png`, buildPng({ width: W, height: H, colourType: 0, bitDepth: 8, samples: new Array(W * H).fill(90) }));
    const samples = [...c.labels, ...new Array(W * H - c.labels.length).fill(0)];
    put(dir, `masks/${c.id}.png`, buildPng({ width: W, height: H, colourType: 0, bitDepth: c.png?.bitDepth ?? 8, samples }));
  }
  if (cases.some((c) => c.split)) put(dir, 'splits.csv', ['image_id,split', ...cases.map((c) => `${c.id},${c.split}`)].join('\n') + '\n');
  const text = [
    'dataset:',
    '  images: images/*.png',
    '  masks: masks/{stem}.png',
    ...dataset.map((l) => `  ${l}`),
    'models:',
    '  - name: m',
    '    path: m.onnx',
    ...(dataset.some((l) => l.startsWith('regions:')) ? ['    region: kidney'] : []),
    ...(cases.some((c) => c.split) ? ['splits: { file: splits.csv }'] : []),
    ...extra,
    'runtime: { cache: ".cache" }',
    '',
  ].join('\n');
  put(dir, 'exp.medseg.yaml', text);
  return join(dir, 'exp.medseg.yaml');
}

async function labelFindingsOf(file: string): Promise<Finding[]> {
  const r = await validateExperiment(file);
  assert.ok(r.scan, `images were scanned: ${r.findings.map((f) => f.code).join(', ')}`);
  return r.findings.filter((f) => OURS.test(f.code));
}

describe('validation with dataset.regions (KiTS-shaped PNG label maps: kidney 1, tumour 2, cyst 3)', () => {
  const cases: Case[] = [
    { id: 'a', split: 'train', labels: [1, 1, 2] },
    { id: 'b', split: 'train', labels: [1] },
    { id: 'c', split: 'val', labels: [2, 1] },
    { id: 'd', split: 'val', labels: [1, 1] },
    { id: 'e', split: 'test', labels: [1] },
    { id: 'f', split: 'test', labels: [1, 3, 3] },
  ];
  const regions = 'regions: { kidney: [1, 2], tumour: [2], liver: [6] }';

  test('unnamed labels (one error on dataset.regions), a region in no reference, a region missing from the test split', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      const file = pngWorkspace(dir, cases, [regions]);
      const found = await labelFindingsOf(file);
      assert.deepEqual(
        found.map((f) => [f.code, f.severity, f.configPath]),
        [
          ['mask/unnamed-labels', 'error', ['dataset', 'regions']],
          ['region/missing-in-split', 'warning', ['dataset', 'regions', 'tumour']],
          ['region/never-in-reference', 'warning', ['dataset', 'regions', 'liver']],
        ],
        'sorted by place: `tumour` comes before `liver` on the regions line',
      );
      const [unnamed, missing, never] = found;
      assert.equal(
        unnamed.message,
        '1 reference mask of 6 holds values that no region names: 3 (e.g. f (3); `dataset.regions` and `dataset.other_labels` name 1, 2, 6). ' +
          'Evaluation refuses these cases for every region rather than count those pixels as background. ' +
          "Add each value to the region it belongs to in `dataset.regions`, or, if it labels a structure that is in no region (KiTS21's cysts), to `dataset.other_labels`.",
      );
      assert.match(never.message, /^Region `liver` \(label 6\) occurs in none of the 6 reference masks, which hold labels 1, 2, 3: every case would be "both empty"/);
      // val holds c (tumour), so only test is named; it is also evaluation.split (the default with splits).
      assert.match(missing.message, /^Region `tumour` \(label 2\) occurs in none of the 2 references of the `test` split \(`evaluation\.split`\)/);
      // Placed on the config's nodes: the findings are on the `regions` line (0-based line 3).
      const line = 3;
      assert.equal(unnamed.location?.file, file);
      assert.equal(unnamed.location?.range?.start.line, line);
      assert.equal(never.location?.range?.start.line, line);
      assert.ok(never.location!.range!.start.character > missing.location!.range!.start.character, 'each region finding on its own region');
    } finally {
      cleanup();
    }
  });

  test('the cyst in other_labels and liver gone: nothing but the split warning; with evaluation.split val, val and test are both checked', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      const named = pngWorkspace(dir, cases, ['regions: { kidney: [1, 2], tumour: [2] }', 'other_labels: [3]']);
      assert.deepEqual((await labelFindingsOf(named)).map((f) => f.code), ['region/missing-in-split']);
      // Move c's tumour out of val: now val (the evaluated split) and test both lack it.
      const noTumourInVal = cases.map((c) => (c.id === 'c' ? { ...c, labels: [1] } : c));
      const file = pngWorkspace(dir, noTumourInVal, ['regions: { kidney: [1, 2], tumour: [2] }', 'other_labels: [3]'], ['evaluation: { split: val }']);
      const found = await labelFindingsOf(file);
      assert.deepEqual(
        found.map((f) => [f.code, /`(\w+)` split \(([^)]*)\)/.exec(f.message)?.slice(1)]),
        [
          ['region/missing-in-split', ['val', '`evaluation.split`']],
          ['region/missing-in-split', ['test', 'the held-out split']],
        ],
      );
    } finally {
      cleanup();
    }
  });

  test('the findings come from the scan cache alike: a second validation decodes nothing and says the same', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      const file = pngWorkspace(dir, cases, [regions]);
      const cold = await validateExperiment(file);
      const warm = await validateExperiment(file);
      assert.equal(cold.scan?.decoded, 6);
      assert.equal(warm.scan?.decoded, 0);
      assert.deepEqual(
        warm.findings.filter((f) => OURS.test(f.code)),
        cold.findings.filter((f) => OURS.test(f.code)),
      );
      assert.equal(cold.findings.filter((f) => OURS.test(f.code)).length, 3);
    } finally {
      cleanup();
    }
  });
});

describe('validation without regions: label maps that `foreground: nonzero` would merge', () => {
  test('NIfTI label volumes (KiTS: 1 kidney, 2 tumour): one mask/label-map warning on dataset.masks naming the masks and values; silent with an explicit foreground', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      const dims = [3, 2, 2, 2, 1, 1, 1, 1];
      const pixdim = [1, 0.8, 0.8, 3, 0, 0, 0, 0];
      const volumes: Record<string, number[]> = { case_00000: [0, 1, 1, 2, 0, 1, 2, 2], case_00001: [0, 1, 0, 0, 0, 0, 0, 0], case_00002: [1, 1, 2, 0, 0, 0, 0, 0] };
      for (const [id, labels] of Object.entries(volumes)) {
        put(dir, `images/${id}.nii`, buildNifti({ version: 1, littleEndian: true, dims, datatype: 4, bitpix: 16, pixdim, data: sampleBytes([-100, 40, 40, 60, 0, 10, 20, 30], 'int16', true) }));
        put(dir, `labels/${id}.nii`, buildNifti({ version: 1, littleEndian: true, dims, datatype: 2, bitpix: 8, pixdim, data: Uint8Array.from(labels) }));
      }
      const config = (foreground?: string) =>
        ['dataset:', '  images: images/*.nii', '  masks: labels/{stem}.nii', ...(foreground ? [`  foreground: ${foreground}`] : []), 'models:', '  - name: m', '    path: m.onnx', 'runtime: { cache: ".cache" }', ''].join('\n');
      put(dir, 'exp.medseg.yaml', config());
      const found = await labelFindingsOf(join(dir, 'exp.medseg.yaml'));
      assert.deepEqual(
        found.map((f) => [f.code, f.severity, f.configPath]),
        [['mask/label-map', 'warning', ['dataset', 'masks']]],
      );
      assert.match(found[0].message, /^2 reference masks of 3 are label maps with several non-zero values \(labels 1, 2; e\.g\. case_00000 \(1, 2\), case_00002 \(1, 2\)\), and `foreground: nonzero` \(the default\) merges them into one foreground\./);
      assert.match(found[0].message, /`dataset\.regions` \(`regions: \{ label_1: \[1\], label_2: \[2\] \}`/);
      assert.match(found[0].message, /give `foreground` its labels and list the others in `other_labels` \(`foreground: \[1\]`, `other_labels: \[2\]`\); to merge them on purpose, write `foreground: nonzero`\.$/);
      for (const foreground of ['nonzero', '[1, 2]', '[2]\n  other_labels: [1]']) {
        put(dir, 'exp.medseg.yaml', config(foreground));
        assert.deepEqual(await labelFindingsOf(join(dir, 'exp.medseg.yaml')), [], `foreground: ${foreground}`);
      }
    } finally {
      cleanup();
    }
  });

  test('binary masks in every convention (0/255, 0/1, 16-bit 0/65535) and anti-aliased masks are no label maps', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      // A soft edge: 20 distinct values in one mask (more than 16).
      const soft = Array.from({ length: 20 }, (_, i) => 255 - 12 * i);
      assert.equal(new Set(soft).size, 20);
      const binary: Case[] = [
        { id: 'a', labels: [255, 255, 0, 255] },
        { id: 'b', labels: [1, 1, 1] },
        { id: 'c', labels: [65535, 65535], png: { bitDepth: 16 } },
      ];
      assert.deepEqual(await labelFindingsOf(pngWorkspace(join(dir, 'one'), [...binary, { id: 'd', labels: soft }], [])), []);
      // Few edge values per mask (7 each, ≤ 16), but different ones in each: 3 × 5 + 1 = 16 + … over the data set.
      const edges = (k: number) => [255, 255, 200 - k, 150 - k, 100 - k, 50 - k, 25 - k, 10 - k];
      const soft3: Case[] = [0, 1, 2].map((k) => ({ id: `e${k}`, labels: edges(k) }));
      assert.deepEqual(await labelFindingsOf(pngWorkspace(join(dir, 'three'), [...binary, ...soft3], [])), []);
      // One such mask alone looks like a label map of 7 labels: it is the data set's many values that tell.
      const alone = await labelFindingsOf(pngWorkspace(join(dir, 'alone'), [binary[0], soft3[0]], []));
      assert.deepEqual(alone.map((f) => f.code), ['mask/label-map']);
    } finally {
      cleanup();
    }
  });
});
