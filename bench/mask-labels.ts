/**
 * What the label checks of issue 16 cost per mask, on KiTS-shaped label volumes (kidney 1, tumour 2
 * inside it, cyst 3 named in other_labels) of 512×512×depth voxels in the sample types label maps
 * are stored in (uint8, int16, float32):
 * - `binarize` by a value list, and `binarize` + `foregroundRuleProblem` without and with the
 *   exhaustive flag of a region's rule (the extra pass that finds values no region names);
 * - `maskLabels`, the distinct values the scan keeps for validation.
 * Decoding is not timed (it is the same for all and dominates); each number is the median of
 * `reps` runs after one warm-up.
 *
 *   node --import tsx bench/mask-labels.ts [depth=64] [reps=7]
 *
 * Prints a Markdown table and the load average (the cores may be shared).
 */
import { loadavg } from 'node:os';
import { binarize, type ForegroundRule, type ImageVolume, type PixelArray } from '../server/src/core/io';
import { foregroundRuleProblem } from '../server/src/core/io/maskCheck';
import { maskLabels } from '../server/src/core/scan/labels';
import { createRandom } from '../server/src/core/util/random';

const SIZE = 512;
const args = process.argv.slice(2);
const depth = Number(args[0] ?? 64);
const reps = Number(args[1] ?? 7);

/** Two kidneys (ellipsoids), a tumour in one, a cyst in the other; deterministic. */
function kitsLabels(): Uint8Array {
  const r = createRandom(16);
  const out = new Uint8Array(SIZE * SIZE * depth);
  const blobs: [number, number, number, number, number][] = [
    [170, 256, depth / 2, 60, 1],
    [342, 256, depth / 2, 60, 1],
    [150 + r.int(20), 240, depth / 2, 22, 2],
    [360, 270 + r.int(10), depth / 2, 12, 3],
  ];
  for (const [cx, cy, cz, rad, label] of blobs)
    for (let z = 0; z < depth; z++)
      for (let y = 0; y < SIZE; y++)
        for (let x = 0; x < SIZE; x++) {
          const d = ((x - cx) / rad) ** 2 + ((y - cy) / (rad * 1.4)) ** 2 + ((z - cz) / (depth / 3)) ** 2;
          if (d <= 1) out[(z * SIZE + y) * SIZE + x] = label;
        }
  return out;
}

function asVolume(data: PixelArray): ImageVolume {
  return { width: SIZE, height: SIZE, depth, channels: 1, data, bitDepth: 8, spacing: [0.8, 0.8, 3], spacingKnown: true, format: 'nifti' };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(run: () => unknown): number {
  run();
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = process.hrtime.bigint();
    run();
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return median(ms);
}

const labels = kitsLabels();
const kinds: [string, PixelArray][] = [
  ['uint8', labels],
  ['int16', Int16Array.from(labels)],
  ['float32', Float32Array.from(labels)],
];
const plain: ForegroundRule = { kind: 'values', values: [1, 2], otherLabels: [3] };
const region: ForegroundRule = { ...plain, exhaustive: true };
const voxels = SIZE * SIZE * depth;
console.log(`# mask label checks, ${SIZE}×${SIZE}×${depth} = ${(voxels / 1e6).toFixed(1)} M voxels, median of ${reps}`);
console.log('');
console.log('| samples | binarize (ms) | + check, value list (ms) | + check, region rule (ms) | exhaustive pass (ms) | maskLabels (ms) |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const [name, data] of kinds) {
  const v = asVolume(data);
  const mask = binarize(v, plain);
  if (foregroundRuleProblem('bench', v, mask, region)) throw new Error('the bench volume has an unnamed label');
  const found = maskLabels(v).labels?.join(',');
  if (found !== '1,2,3') throw new Error(`maskLabels found ${found}`);
  const bin = time(() => binarize(v, plain));
  const checked = time(() => foregroundRuleProblem('bench', v, binarize(v, plain), plain));
  const exhaustive = time(() => foregroundRuleProblem('bench', v, binarize(v, region), region));
  const labelsMs = time(() => maskLabels(v));
  console.log(`| ${name} | ${bin.toFixed(1)} | ${checked.toFixed(1)} | ${exhaustive.toFixed(1)} | ${(exhaustive - checked).toFixed(1)} | ${labelsMs.toFixed(1)} |`);
}
console.log('');
console.log(`load average: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (${process.platform}, node ${process.version})`);
