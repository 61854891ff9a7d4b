/**
 * A float64 interpreter for the few ONNX ops the test U-Nets use (Conv, Relu, MaxPool, Resize
 * nearest/asymmetric, Concat on channels, Identity), written from the ONNX operator definitions
 * for batch 1. It is the tests' independent reference: no onnxruntime, no graph surgery.
 */
import { onnx } from 'onnx-proto';

export interface Tensor64 {
  dims: number[];
  data: Float64Array;
}

function attr(node: onnx.INodeProto, name: string): onnx.IAttributeProto | undefined {
  return node.attribute?.find((a) => a.name === name);
}
const ints = (node: onnx.INodeProto, name: string, fallback: number[]) => (attr(node, name)?.ints ?? fallback).map(Number);

function initializerValue(t: onnx.ITensorProto): Tensor64 {
  const dims = (t.dims ?? []).map(Number);
  const raw = t.rawData!;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const data = new Float64Array(raw.byteLength / 4);
  for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(i * 4, true);
  return { dims, data };
}

function conv(x: Tensor64, w: Tensor64, b: Tensor64 | undefined, node: onnx.INodeProto): Tensor64 {
  const [, C, H, W] = x.dims;
  const [O, , KH, KW] = w.dims;
  const [pt, pl] = ints(node, 'pads', [0, 0, 0, 0]);
  const out = new Float64Array(O * H * W);
  for (let o = 0; o < O; o++)
    for (let y = 0; y < H; y++)
      for (let xx = 0; xx < W; xx++) {
        let s = b ? b.data[o] : 0;
        for (let c = 0; c < C; c++)
          for (let ky = 0; ky < KH; ky++) {
            const sy = y + ky - pt;
            if (sy < 0 || sy >= H) continue;
            for (let kx = 0; kx < KW; kx++) {
              const sx = xx + kx - pl;
              if (sx < 0 || sx >= W) continue;
              s += w.data[((o * C + c) * KH + ky) * KW + kx] * x.data[(c * H + sy) * W + sx];
            }
          }
        out[(o * H + y) * W + xx] = s;
      }
  return { dims: [1, O, H, W], data: out };
}

function maxPool2(x: Tensor64): Tensor64 {
  const [, C, H, W] = x.dims;
  const h = H / 2;
  const w = W / 2;
  const out = new Float64Array(C * h * w);
  for (let c = 0; c < C; c++)
    for (let y = 0; y < h; y++)
      for (let xx = 0; xx < w; xx++) {
        let m = -Infinity;
        for (let dy = 0; dy < 2; dy++) for (let dx = 0; dx < 2; dx++) m = Math.max(m, x.data[(c * H + 2 * y + dy) * W + 2 * xx + dx]);
        out[(c * h + y) * w + xx] = m;
      }
  return { dims: [1, C, h, w], data: out };
}

function upsample2(x: Tensor64): Tensor64 {
  const [, C, H, W] = x.dims;
  const out = new Float64Array(C * 4 * H * W);
  for (let c = 0; c < C; c++)
    for (let y = 0; y < 2 * H; y++)
      for (let xx = 0; xx < 2 * W; xx++) out[(c * 2 * H + y) * 2 * W + xx] = x.data[(c * H + (y >> 1)) * W + (xx >> 1)];
  return { dims: [1, C, 2 * H, 2 * W], data: out };
}

/**
 * Runs the graph on `inputs`; a tensor named in `overrides` takes the given value instead of
 * being computed (what a perturbation of an inner activation does). Returns every tensor.
 */
export function interpret(model: onnx.IModelProto, inputs: Record<string, Tensor64>, overrides: Record<string, Tensor64> = {}): Map<string, Tensor64> {
  const values = new Map<string, Tensor64>();
  for (const t of model.graph!.initializer ?? []) values.set(t.name!, initializerValue(t));
  for (const [k, v] of Object.entries(inputs)) values.set(k, v);
  const pending = [...(model.graph!.node ?? [])];
  while (pending.length > 0) {
    const i = pending.findIndex((n) => (n.input ?? []).every((name) => name === '' || values.has(name)));
    if (i < 0) throw new Error('interpret: unresolvable inputs');
    const node = pending.splice(i, 1)[0];
    const out = node.output![0];
    if (overrides[out]) {
      values.set(out, overrides[out]);
      continue;
    }
    const args = (node.input ?? []).map((n) => values.get(n)!);
    let y: Tensor64;
    switch (node.opType) {
      case 'Conv':
        y = conv(args[0], args[1], args[2], node);
        break;
      case 'Relu':
        y = { dims: args[0].dims, data: args[0].data.map((v) => Math.max(0, v)) };
        break;
      case 'MaxPool':
        y = maxPool2(args[0]);
        break;
      case 'Resize':
        y = upsample2(args[0]);
        break;
      case 'Concat': {
        const [a, b] = args;
        const data = new Float64Array(a.data.length + b.data.length);
        data.set(a.data);
        data.set(b.data, a.data.length);
        y = { dims: [1, a.dims[1] + b.dims[1], a.dims[2], a.dims[3]], data };
        break;
      }
      case 'Identity':
        y = args[0];
        break;
      default:
        throw new Error(`interpret: op ${node.opType} is not supported`);
    }
    values.set(out, y);
  }
  return values;
}
