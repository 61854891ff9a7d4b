/**
 * Resize (every mode, coordinate transformation and nearest rounding; scales or sizes; 4-D and
 * 5-D; opset 10 to 19 signatures) and Upsample for the cross-check. Non-integer scales put output
 * pixels near rounding ties, where float32 coordinates decide which input pixel is read.
 */
import { attr, feed, floats, int64s, type OpCase, type OpCaseSpec } from '../reference/onnxCase';

const { int, ints, float, floats: floatsAttr, string } = attr;

const X4 = [1, 2, 5, 7];
const noRoi = floats([0], []);

function resize(mode: string, ctm: string, how: { scales?: number[]; sizes?: number[] }, extra: OpCaseSpec['attrs'] = [], dims = X4, opset = 13): OpCaseSpec {
  const inputs = how.scales ? [feed(dims), null, floats([how.scales.length], how.scales)] : [feed(dims), null, null, int64s(how.sizes!)];
  return { op: 'Resize', inputs, opset, attrs: [string('mode', mode), string('coordinate_transformation_mode', ctm), ...extra] };
}

const scaleSets: Record<string, { scales?: number[]; sizes?: number[] }> = {
  'up ×2 ×3': { scales: [1, 1, 2, 3] },
  'up ×1.7 ×2.3': { scales: [1, 1, 1.7, 2.3] },
  'down ×0.6 ×0.45': { scales: [1, 1, 0.6, 0.45] },
  'sizes 8×4': { sizes: [1, 2, 8, 4] },
};

const nearestModes = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'];
const nearestTransforms = ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_half_pixel_for_nn'];

const nearestCases: OpCase[] = nearestModes.flatMap((nm) =>
  nearestTransforms.flatMap((ctm) =>
    Object.entries(scaleSets).map(
      ([label, how]): OpCase => ({ name: `Resize nearest ${nm}, ${ctm}, ${label}`, spec: resize('nearest', ctm, how, [string('nearest_mode', nm)]) }),
    ),
  ),
);

const linearCases: OpCase[] = [
  ...['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric'].flatMap((ctm) =>
    Object.entries(scaleSets).map(([label, how]): OpCase => ({ name: `Resize linear ${ctm}, ${label}`, spec: resize('linear', ctm, how) })),
  ),
  // pytorch_half_pixel maps every pixel of a length-1 output axis to input coordinate 0.
  { name: 'Resize linear pytorch_half_pixel, output height 1', spec: resize('linear', 'pytorch_half_pixel', { sizes: [1, 2, 1, 9] }) },
  { name: 'Resize linear align_corners, output height 1', spec: resize('linear', 'align_corners', { sizes: [1, 2, 1, 9] }) },
  { name: 'Resize linear 5-D (trilinear) half_pixel', spec: resize('linear', 'half_pixel', { scales: [1, 1, 2, 1.5, 0.5] }, [], [1, 2, 3, 4, 6]) },
  { name: 'Resize linear 5-D align_corners, sizes', spec: resize('linear', 'align_corners', { sizes: [1, 2, 5, 3, 7] }, [], [1, 2, 3, 4, 6]) },
];

const cubicCases: OpCase[] = [
  ...['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric'].flatMap((ctm) =>
    ['up ×1.7 ×2.3', 'down ×0.6 ×0.45', 'sizes 8×4'].map((label): OpCase => ({ name: `Resize cubic ${ctm}, ${label}`, spec: resize('cubic', ctm, scaleSets[label]) })),
  ),
  { name: 'Resize cubic cubic_coeff_a -0.5', spec: resize('cubic', 'half_pixel', { scales: [1, 1, 2, 1.5] }, [float('cubic_coeff_a', -0.5)]) },
  ...['up ×2 ×3', 'down ×0.6 ×0.45'].map(
    (label): OpCase => ({ name: `Resize cubic exclude_outside, ${label}`, spec: resize('cubic', 'half_pixel', scaleSets[label], [int('exclude_outside', 1)]) }),
  ),
];

const signatureCases: OpCase[] = [
  { name: 'Resize nearest 5-D', spec: resize('nearest', 'asymmetric', { scales: [1, 1, 2, 0.5, 1.5] }, [string('nearest_mode', 'floor')], [1, 2, 3, 4, 6]) },
  { name: 'Resize nearest, channel axis scaled too', spec: resize('nearest', 'asymmetric', { scales: [1, 1.5, 2, 2] }, [string('nearest_mode', 'round_prefer_ceil')]) },
  // An axis whose size does not change is copied, even where the transformation would shift it
  // (tf_half_pixel_for_nn with ceil moves every pixel by one at scale 1; 3 → 3 at scale 1.3).
  ...['nearest', 'linear', 'cubic'].map(
    (mode): OpCase => ({
      name: `Resize ${mode}, axes whose size does not change are copied`,
      spec: resize(mode, mode === 'nearest' ? 'tf_half_pixel_for_nn' : 'asymmetric', { scales: [1, 1, 1.3, 1] }, mode === 'nearest' ? [string('nearest_mode', 'ceil')] : [], [1, 2, 3, 5]),
    }),
  ),
  // Ties within float32 rounding: 7 → 4 asymmetric puts x = 2 at 3.4999998 (exactly 3.5); 20 → 6
  // half_pixel puts x = 4 at 14.499999 (exactly 14.5); 14 → 31 puts x = 15 at 6.5000005.
  ...[
    ['asymmetric', 'round_prefer_ceil', [1, 2, 7, 20], [1, 2, 4, 6]],
    ['half_pixel', 'round_prefer_ceil', [1, 2, 7, 20], [1, 2, 4, 6]],
    ['half_pixel', 'round_prefer_floor', [1, 1, 3, 14], [1, 1, 5, 31]],
  ].map(
    ([ctm, nm, dims, sizes]): OpCase => ({
      name: `Resize nearest ${nm} ${ctm}: ties lost to float32 rounding still count as ties`,
      spec: resize('nearest', ctm as string, { sizes: sizes as number[] }, [string('nearest_mode', nm as string)], dims as number[]),
    }),
  ),
  {
    name: 'Resize opset 11: roi and scales inputs',
    spec: { op: 'Resize', inputs: [feed(X4), noRoi, floats([4], [1, 1, 1.5, 0.8])], opset: 11, attrs: [string('mode', 'linear')] },
  },
  {
    name: 'Resize opset 11: sizes with an empty scales tensor',
    spec: { op: 'Resize', inputs: [feed(X4), noRoi, floats([0], []), int64s([1, 2, 3, 11])], opset: 11, attrs: [string('mode', 'nearest')] },
  },
  {
    name: 'Resize opset 18: axes attribute',
    spec: { op: 'Resize', inputs: [feed(X4), null, floats([2], [2, 1.5])], opset: 18, attrs: [string('mode', 'linear'), ints('axes', [2, 3])] },
  },
  { name: 'Resize opset 19: half_pixel_symmetric', spec: resize('linear', 'half_pixel_symmetric', { scales: [1, 1, 1.7, 0.6] }, [], X4, 19) },
  ...['nearest', 'linear'].map(
    (mode): OpCase => ({ name: `Resize opset 10 (X, scales), ${mode}`, spec: { op: 'Resize', inputs: [feed(X4), floats([4], [1, 1, 2, 1.5])], opset: 10, attrs: [string('mode', mode)] } }),
  ),
  ...['nearest', 'linear'].flatMap((mode): OpCase[] => [
    { name: `Upsample opset 7 (scales attribute), ${mode}`, spec: { op: 'Upsample', inputs: [feed(X4)], opset: 7, attrs: [string('mode', mode), floatsAttr('scales', [1, 1, 2, 2.5])] } },
    { name: `Upsample opset 9 (scales input), ${mode}`, spec: { op: 'Upsample', inputs: [feed(X4), floats([4], [1, 1, 3, 1.5])], opset: 9, attrs: [string('mode', mode)] } },
  ]),
];

export const resizeCases: OpCase[] = [...nearestCases, ...linearCases, ...cubicCases, ...signatureCases];
