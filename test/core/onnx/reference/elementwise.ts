/**
 * Element-wise arithmetic, comparison and logic with numpy broadcasting (Add … Pow, Greater …,
 * And, Not, Where, the n-ary Max/Min/Sum/Mean) and Cast.
 */
import type { OpKernel } from './op';
import { requireInput } from './op';
import { BOOL, broadcastDims, broadcastOffsets, isIntegerType, makeTensor, sizeOf, truncateToInteger, type RefTensor } from './tensor';

function broadcastApply(op: string, inputs: RefTensor[], f: (values: number[]) => number, dataType: number | undefined): RefTensor {
  const dims = broadcastDims(
    inputs.map((t) => t.dims),
    op,
  );
  const offsets = inputs.map((t) => broadcastOffsets(dims, t.dims));
  const n = sizeOf(dims);
  const out = new Float64Array(n);
  const values = new Array<number>(inputs.length);
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < inputs.length; j++) values[j] = inputs[j].data[offsets[j][k]];
    out[k] = f(values);
  }
  return makeTensor(dims, out, dataType);
}

function binary(op: string, f: (a: number, b: number) => number, integerF?: (a: number, b: number) => number): OpKernel {
  return (ctx) => {
    const a = requireInput(ctx, 0);
    const b = requireInput(ctx, 1);
    const g = isIntegerType(a.dataType) && integerF ? integerF : f;
    return broadcastApply(op, [a, b], (v) => g(v[0], v[1]), a.dataType);
  };
}

function compare(op: string, f: (a: number, b: number) => boolean): OpKernel {
  return (ctx) => broadcastApply(op, [requireInput(ctx, 0), requireInput(ctx, 1)], (v) => (f(v[0], v[1]) ? 1 : 0), BOOL);
}

function nary(op: string, f: (values: number[]) => number): OpKernel {
  return (ctx) => {
    const inputs = ctx.inputs.filter((t): t is RefTensor => t !== undefined);
    if (inputs.length === 0) throw new Error(`${op}: needs at least one input`);
    return broadcastApply(op, inputs, f, inputs[0].dataType);
  };
}

const where: OpKernel = (ctx) => {
  const x = requireInput(ctx, 1);
  return broadcastApply('Where', [requireInput(ctx, 0), x, requireInput(ctx, 2)], (v) => (v[0] ? v[1] : v[2]), x.dataType);
};

const DT_FLOAT16 = 10;
const DT_DOUBLE = 11;
const DT_FLOAT = 1;
const DT_BFLOAT16 = 16;

/**
 * Float targets keep the float64 value (no rounding to float32: the reference exists to be
 * exact); integer targets truncate toward zero as C++'s static_cast does; bool is "non-zero".
 */
const cast: OpKernel = (ctx) => {
  const x = requireInput(ctx, 0);
  const to = ctx.attrs.int('to', 0);
  let data: Float64Array;
  if (to === BOOL) data = x.data.map((v) => (v !== 0 ? 1 : 0));
  else if (isIntegerType(to)) data = x.data.map(truncateToInteger);
  else if (to === DT_FLOAT || to === DT_DOUBLE || to === DT_FLOAT16 || to === DT_BFLOAT16) data = x.data.slice();
  else throw new Error(`Cast: target type ${to} is not supported by the reference evaluator`);
  return makeTensor(x.dims, data, to);
};

export const elementwiseOps: Record<string, OpKernel> = {
  Add: binary('Add', (a, b) => a + b),
  Sub: binary('Sub', (a, b) => a - b),
  Mul: binary('Mul', (a, b) => a * b),
  Div: binary(
    'Div',
    (a, b) => a / b,
    (a, b) => truncateToInteger(a / b),
  ),
  Pow: binary('Pow', (a, b) => Math.pow(a, b)),
  Greater: compare('Greater', (a, b) => a > b),
  Less: compare('Less', (a, b) => a < b),
  Equal: compare('Equal', (a, b) => a === b),
  GreaterOrEqual: compare('GreaterOrEqual', (a, b) => a >= b),
  LessOrEqual: compare('LessOrEqual', (a, b) => a <= b),
  And: compare('And', (a, b) => a !== 0 && b !== 0),
  Or: compare('Or', (a, b) => a !== 0 || b !== 0),
  Not: (ctx) => {
    const x = requireInput(ctx, 0);
    return makeTensor(x.dims, x.data.map((v) => (v === 0 ? 1 : 0)), BOOL);
  },
  Where: where,
  Max: nary('Max', (v) => Math.max(...v)),
  Min: nary('Min', (v) => Math.min(...v)),
  Sum: nary('Sum', (v) => v.reduce((s, x) => s + x, 0)),
  Mean: nary('Mean', (v) => v.reduce((s, x) => s + x, 0) / v.length),
  Cast: cast,
};
