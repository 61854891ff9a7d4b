/**
 * Unary math and activations (Relu … Gelu), PRelu, Clip, and Softmax / LogSoftmax with their
 * opset-dependent axis semantics.
 */
import { erf } from './erf';
import type { OpContext, OpKernel } from './op';
import { requireInput } from './op';
import { broadcastOffsets, like, normalizeAxis, sizeOf } from './tensor';

function unary(f: (x: number, ctx: OpContext) => number): OpKernel {
  return (ctx) => {
    const x = requireInput(ctx, 0);
    return like(
      x,
      x.data.map((v) => f(v, ctx)),
    );
  };
}

/** An activation whose attributes are read once per node, not per element. */
function activation(make: (ctx: OpContext) => (x: number) => number): OpKernel {
  return (ctx) => {
    const x = requireInput(ctx, 0);
    return like(x, x.data.map(make(ctx)));
  };
}

const sigmoid = (v: number): number => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));
const softplus = (v: number): number => (v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v)));

// Selu's defaults are the float32 values the ONNX definition states.
const SELU_ALPHA = 1.67326319217681884765625;
const SELU_GAMMA = 1.05070102214813232421875;

function gelu(ctx: OpContext): (x: number) => number {
  const approximate = ctx.attrs.string('approximate', 'none');
  if (approximate === 'tanh') {
    const k = Math.sqrt(2 / Math.PI);
    return (x) => 0.5 * x * (1 + Math.tanh(k * (x + 0.044715 * x * x * x)));
  }
  if (approximate !== 'none') throw new Error(`Gelu: approximate ${approximate} is not supported`);
  return (x) => 0.5 * x * (1 + erf(x / Math.SQRT2));
}

/** Before opset 11 the bounds are attributes; from 11 they are optional scalar inputs. */
const clip: OpKernel = (ctx) => {
  const x = requireInput(ctx, 0);
  let lo = -Infinity;
  let hi = Infinity;
  if (ctx.opset < 11) {
    lo = ctx.attrs.float('min', -Infinity);
    hi = ctx.attrs.float('max', Infinity);
  } else {
    if (ctx.inputs[1]) lo = ctx.inputs[1].data[0];
    if (ctx.inputs[2]) hi = ctx.inputs[2].data[0];
  }
  return like(
    x,
    x.data.map((v) => Math.min(Math.max(v, lo), hi)),
  );
};

/** The slope broadcasts to X's shape (unidirectional broadcasting). */
const prelu: OpKernel = (ctx) => {
  const x = requireInput(ctx, 0);
  const slope = requireInput(ctx, 1);
  const offsets = broadcastOffsets(x.dims, slope.dims);
  return like(
    x,
    x.data.map((v, i) => (v < 0 ? slope.data[offsets[i]] * v : v)),
  );
};

/**
 * Before opset 13 the input is coerced to 2-D at `axis` (default 1) and each row
 * [axis, rank) is normalised as a whole; from 13 only the single `axis` (default -1) is.
 */
function softmaxFamily(log: boolean): OpKernel {
  return (ctx) => {
    const x = requireInput(ctx, 0);
    const rank = x.dims.length;
    const axis = normalizeAxis(ctx.attrs.int('axis', ctx.opset < 13 ? 1 : -1), rank, ctx.node.opType ?? 'Softmax');
    const outer = sizeOf(x.dims.slice(0, axis));
    const length = ctx.opset < 13 ? sizeOf(x.dims.slice(axis)) : x.dims[axis];
    const inner = ctx.opset < 13 ? 1 : sizeOf(x.dims.slice(axis + 1));
    const out = new Float64Array(x.data.length);
    for (let o = 0; o < outer; o++)
      for (let i = 0; i < inner; i++) {
        const base = o * length * inner + i;
        let max = -Infinity;
        for (let k = 0; k < length; k++) max = Math.max(max, x.data[base + k * inner]);
        let sum = 0;
        for (let k = 0; k < length; k++) sum += Math.exp(x.data[base + k * inner] - max);
        const logSum = Math.log(sum);
        for (let k = 0; k < length; k++) {
          const z = x.data[base + k * inner] - max;
          out[base + k * inner] = log ? z - logSum : Math.exp(z) / sum;
        }
      }
    return like(x, out);
  };
}

export const activationOps: Record<string, OpKernel> = {
  Relu: unary((v) => Math.max(0, v)),
  LeakyRelu: activation((ctx) => {
    const alpha = ctx.attrs.float('alpha', 0.01);
    return (v) => (v >= 0 ? v : alpha * v);
  }),
  PRelu: prelu,
  Elu: activation((ctx) => {
    const alpha = ctx.attrs.float('alpha', 1);
    return (v) => (v > 0 ? v : alpha * Math.expm1(v));
  }),
  Selu: activation((ctx) => {
    const alpha = ctx.attrs.float('alpha', SELU_ALPHA);
    const gamma = ctx.attrs.float('gamma', SELU_GAMMA);
    return (v) => gamma * (v > 0 ? v : alpha * Math.expm1(v));
  }),
  Sigmoid: unary(sigmoid),
  Tanh: unary(Math.tanh),
  HardSigmoid: activation((ctx) => {
    const alpha = ctx.attrs.float('alpha', 0.2);
    const beta = ctx.attrs.float('beta', 0.5);
    return (v) => Math.max(0, Math.min(1, alpha * v + beta));
  }),
  HardSwish: unary((v) => v * Math.max(0, Math.min(1, v / 6 + 0.5))),
  Softplus: unary(softplus),
  Gelu: activation(gelu),
  Clip: clip,
  Softmax: softmaxFamily(false),
  LogSoftmax: softmaxFamily(true),
  Sqrt: unary(Math.sqrt),
  Exp: unary(Math.exp),
  Log: unary(Math.log),
  Neg: unary((v) => -v),
  Reciprocal: unary((v) => 1 / v),
  Abs: unary(Math.abs),
  Erf: unary(erf),
};
