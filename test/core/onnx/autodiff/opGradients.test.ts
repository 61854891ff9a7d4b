/**
 * Every operator's gradient rule against float64 central differences, on the cross-check cases of
 * the reference evaluator (test/core/onnx/referenceCases: every op and attribute combination real
 * exports use, each already shown to agree with onnxruntime). For each case and each float input
 * fed at run time: L = Σ seed ⊙ output with a random seed, ∂L/∂input from the generated gradient
 * graph (onnxruntime, float32) against numericGradient of the reference (float64).
 *
 * A case whose rule declines (GradientUnsupported) must be one of the documented declines below;
 * anything else fails, so no operator silently loses its gradient.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { encodeModel } from '../../../../server/src/core/explain/graphSurgery';
import { probeTensorFacts } from '../../../../server/src/core/explain/tensorFacts';
import { buildGradientModel, GradientUnsupported, planGradient } from '../../../../server/src/core/onnx/autodiff';
import { maxRelativeError, numericGradient, randomFloat32Array } from '../reference/gradient';
import { buildOpCase, type OpCase } from '../reference/onnxCase';
import type { RefTensor } from '../reference/tensor';
import { caseFamilies, seedOf } from '../referenceCases';

/**
 * Largest relative error (max |Δ| / max |reference|) accepted. The gradient graph runs in float32:
 * each gradient element is a short sum of float32 products (at most a few dozen terms in these
 * small cases), so its error is a few ulps (≈ 1e-7) of the largest term.
 */
const TOLERANCE = 1e-5;

/** Operators whose cases include outputs that carry no gradient to a float input (integer results). */
const NO_FLOAT_GRADIENT = new Set(['Shape', 'Equal', 'Greater', 'Less', 'GreaterOrEqual', 'LessOrEqual', 'Not', 'And', 'ConstantOfShape', 'Gather']);

/**
 * The only declines: opset 7–8 graphs (Where, ConstantOfShape, Sign and Erf, which gradients are
 * written with, arrived in opset 9; exports that old predate PyTorch 1.1).
 */
const EXPECTED_DECLINES = ['Upsample opset 7 (scales attribute), nearest', 'Upsample opset 7 (scales attribute), linear'];

function toOrt(t: RefTensor): ort.Tensor {
  if (t.dataType === 7) return new ort.Tensor('int64', BigInt64Array.from(t.data, (v) => BigInt(v)), t.dims);
  if (t.dataType === 9) return new ort.Tensor('bool', Uint8Array.from(t.data), t.dims);
  return new ort.Tensor('float32', Float32Array.from(t.data), t.dims);
}

const declined: string[] = [];
/** Cases with at least one input gradient compared. */
const checked = new Set<string>();
/** Cases whose output does not depend on a float input through gradient-carrying edges. */
const noGradientPath = new Set<string>();

async function checkCase(c: OpCase): Promise<void> {
  const seed = seedOf(c.name);
  const { model, feeds } = buildOpCase(c.spec, seed);
  const output = 'out0';
  const floatInputs = Object.entries(feeds).filter(([, t]) => t.dataType === undefined).map(([name]) => name);
  if (NO_FLOAT_GRADIENT.has(c.spec.op) || floatInputs.length === 0) return;
  const ortFeeds = Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, toOrt(v)]));
  for (const wrt of floatInputs) {
    const plan = planGradient(model, [wrt], output);
    if (!plan.active.has(output)) {
      // The output carries no gradient (an integer Cast): recorded, and checked below to be only such cases.
      noGradientPath.add(c.name);
      continue;
    }
    let gradientModel;
    let facts;
    try {
      if (plan.unsupported.length > 0) throw plan.unsupported[0];
      facts = await probeTensorFacts(model, plan.probe, () => ortFeeds, 1);
      gradientModel = buildGradientModel(model, { wrt: [wrt], output, facts, plan });
    } catch (err) {
      if (!(err instanceof GradientUnsupported)) throw err;
      assert.ok(EXPECTED_DECLINES.includes(c.name), `${c.name}: the rule declines: ${err.message}`);
      declined.push(c.name);
      continue;
    }
    const session = await ort.InferenceSession.create(encodeModel(gradientModel.model), { executionProviders: ['cpu'] });
    try {
      const outDims = [...facts.get(output)!.dims];
      const weights = randomFloat32Array(outDims.reduce((a, b) => a * b, 1), seed + 1, -1, 1);
      const result = await session.run({ ...ortFeeds, [gradientModel.seedInput!]: new ort.Tensor('float32', Float32Array.from(weights), outDims) });
      const got = result[gradientModel.gradients[0]];
      assert.deepEqual([...got.dims], [...feeds[wrt].dims], `${c.name}: ∂L/∂${wrt} dims`);
      const want = numericGradient(model, feeds, wrt, output, weights);
      const err = maxRelativeError(got.data as Float32Array, want);
      assert.ok(err <= TOLERANCE, `${c.name}: ∂L/∂${wrt} max relative error ${err.toExponential(2)} > ${TOLERANCE}`);
      checked.add(c.name);
    } finally {
      await session.release();
    }
  }
}


for (const [family, cases] of Object.entries(caseFamilies)) {
  describe(`gradient rules, ${family}: the generated backward graph equals float64 central differences`, () => {
    for (const c of cases) test(c.name, () => checkCase(c));
  });
}

test('every case with a float input was compared, and only the expected cases declined', () => {
  assert.deepEqual([...new Set(declined)].sort(), [...EXPECTED_DECLINES].sort());
  const all = Object.values(caseFamilies).flat();
  for (const name of noGradientPath) assert.match(name, /^Cast .* to (int|bool)/, `${name}: no gradient path`);
  const skipped = all.filter((c) => !checked.has(c.name) && !declined.includes(c.name) && !noGradientPath.has(c.name) && !NO_FLOAT_GRADIENT.has(c.spec.op));
  // Cases without a float input reaching the output (integer-only graphs, empty tensors) are the only others.
  for (const c of skipped) assert.ok(c.spec.inputs.every((t) => !t || t.constant || t.dataType !== undefined) || /zero|empty/i.test(c.name), `${c.name} was not compared`);
  assert.ok(checked.size >= 280, `${checked.size} cases compared`);
});
