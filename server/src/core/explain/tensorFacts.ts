/**
 * Measures what the gradient rules need to know about a graph's tensors: one forward run at
 * batch 1 and one at batch 2 with every tensor of interest exposed as an output. The dims of the
 * first run are the static sizes; axes whose size differs between the runs follow the batch; small
 * tensors (Slice bounds, Pad widths, Resize scales that exports compute from shapes) keep their
 * values when both runs agree. A model whose batch is fixed gets one run.
 */
import * as ort from 'onnxruntime-node';
import type { onnx } from 'onnx-proto';
import type { FactTable, TensorFacts } from '../onnx/autodiff';
import { encodeModel, exposeTensors } from './graphSurgery';

/** Tensors with at most this many elements report their values. */
const VALUE_LIMIT = 64;

/** Feeds for a probe run at a batch size. */
export type ProbeFeeds = (batch: number) => Record<string, ort.Tensor>;

/** Blank feeds for a model with one image input: zeros of [batch, ...sampleDims]. */
export function blankFeeds(name: string, sampleDims: readonly number[]): ProbeFeeds {
  const size = sampleDims.reduce((a, b) => a * b, 1);
  return (batch) => ({ [name]: new ort.Tensor('float32', new Float32Array(batch * size), [batch, ...sampleDims]) });
}

async function probeRun(session: ort.InferenceSession, feeds: Record<string, ort.Tensor>, names: readonly string[]): Promise<Map<string, { dims: number[]; values?: number[] }>> {
  const out = await session.run(feeds);
  const result = new Map<string, { dims: number[]; values?: number[] }>();
  for (const name of names) {
    const t = out[name];
    if (!t) continue;
    const dims = [...t.dims];
    let values: number[] | undefined;
    if (t.size <= VALUE_LIMIT && t.type !== 'string') values = Array.from(t.data as ArrayLike<number | bigint>, Number);
    result.set(name, { dims, values });
    t.dispose?.();
  }
  return result;
}

function sameValues(a: readonly number[] | undefined, b: readonly number[] | undefined): boolean {
  return a !== undefined && b !== undefined && a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * Facts about `names` (graph inputs included) from runs on `feeds`. `fixedBatch`: the model only
 * runs at that batch size (one run; no axis is marked as following the batch).
 */
export async function probeTensorFacts(model: onnx.IModelProto, names: readonly string[], feeds: ProbeFeeds, fixedBatch?: number): Promise<FactTable> {
  const inputs = new Set((model.graph?.input ?? []).map((v) => v.name));
  const exposed = names.filter((n) => !inputs.has(n));
  const session = await ort.InferenceSession.create(encodeModel(exposeTensors(model, exposed)), { executionProviders: ['cpu'], graphOptimizationLevel: 'disabled' });
  try {
    const firstFeeds = feeds(fixedBatch ?? 1);
    const secondFeeds = fixedBatch === undefined ? feeds(2) : undefined;
    const first = await probeRun(session, firstFeeds, exposed);
    const second = secondFeeds ? await probeRun(session, secondFeeds, exposed) : undefined;
    const facts = new Map<string, TensorFacts>();
    const record = (name: string, a: { dims: readonly number[]; values?: readonly number[] }, b: { dims: readonly number[]; values?: readonly number[] } | undefined) => {
      const batched = a.dims.map((d, i) => b !== undefined && b.dims[i] !== d);
      facts.set(name, { dims: a.dims, batched, values: second ? (sameValues(a.values, b?.values) ? a.values : undefined) : a.values });
    };
    for (const name of exposed) {
      const a = first.get(name);
      if (a) record(name, a, second?.get(name));
    }
    for (const name of names) {
      const a = firstFeeds[name];
      if (!inputs.has(name) || !a) continue;
      const b = secondFeeds?.[name];
      const values = (t: ort.Tensor) => (t.size <= VALUE_LIMIT ? Array.from(t.data as ArrayLike<number | bigint>, Number) : undefined);
      record(name, { dims: a.dims, values: values(a) }, b && { dims: b.dims, values: values(b) });
    }
    return facts;
  } finally {
    await session.release();
  }
}
