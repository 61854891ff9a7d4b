/**
 * How much memory one sample's activations take: every tensor the graph computes, exposed as an
 * output and measured in one CPU run at batch 1 with optimisations off (so no tensor is fused
 * away). It is an upper bound of what a GPU holds per sample — onnxruntime reuses buffers whose
 * tensors are dead — which is what sizing batches needs: a batch that fits by this count fits.
 */
import * as ort from 'onnxruntime-node';
import { onnx } from 'onnx-proto';
import { InputError } from '../findings';
import type { ResolvedModelInput } from './predict';

/** Bytes per element of onnx.TensorProto.DataType (strings and unknown types count as 8). */
const ELEMENT_BYTES: Record<string, number> = {
  float32: 4,
  float64: 8,
  float16: 2,
  int8: 1,
  uint8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  int64: 8,
  uint64: 8,
  bool: 1,
};

export async function activationBytes(modelBytes: Uint8Array, input: ResolvedModelInput): Promise<number> {
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(modelBytes);
  } catch (err) {
    throw new InputError('model', `the model cannot be read to measure its activations (${(err as Error).message})`, 'model/unreadable');
  }
  const graph = model.graph!;
  graph.output ??= [];
  const declared = new Set((graph.output ?? []).map((o) => o.name));
  for (const node of graph.node ?? []) {
    for (const name of node.output ?? []) {
      if (!name || declared.has(name)) continue;
      declared.add(name);
      graph.output!.push(onnx.ValueInfoProto.create({ name }));
    }
  }
  const exposed = onnx.ModelProto.encode(model).finish();
  const session = await ort.InferenceSession.create(exposed, { executionProviders: ['cpu'], graphOptimizationLevel: 'disabled', intraOpNumThreads: 1 });
  try {
    const [h, w] = input.size;
    const dims = input.layout === 'NCHW' ? [1, input.channels, h, w] : [1, h, w, input.channels];
    const feed = new ort.Tensor('float32', new Float32Array(input.channels * h * w), dims);
    const out = await session.run({ [session.inputNames[0]]: feed });
    let bytes = feed.size * 4;
    for (const t of Object.values(out)) {
      bytes += t.size * (ELEMENT_BYTES[t.type] ?? 8);
      t.dispose?.();
    }
    return bytes;
  } finally {
    await session.release();
  }
}
