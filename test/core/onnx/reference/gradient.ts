/**
 * Central finite differences of the float64 reference, the golden values gradient tests compare
 * against, and the helpers those tests share (seeded float32-representable data, a scale-aware
 * error measure).
 */
import type { onnx } from 'onnx-proto';
import { createRandom } from '../../../../server/src/core/util/random';
import { ReferenceGraph } from './evaluate';
import type { RefTensor } from './tensor';

export interface GradientOptions {
  /**
   * Relative step: element i moves by ±epsilon·max(1, |x_i|). The default 1e-6 balances the
   * O(h²) truncation error of central differences against float64 cancellation (≈ 1e-16 / h).
   */
  epsilon?: number;
}

/**
 * dL/d`wrt` for L = Σ seed ⊙ `output`, by central differences in float64. `wrt` may be a graph
 * input, an initializer or an inner tensor: the graph is evaluated once, and each perturbation
 * re-runs only the nodes between `wrt` and `output` with `wrt` held at the perturbed value.
 */
export function numericGradient(
  model: onnx.IModelProto,
  feeds: Record<string, RefTensor>,
  wrt: string,
  output: string,
  seed: Float64Array,
  options: GradientOptions = {},
): Float64Array {
  const epsilon = options.epsilon ?? 1e-6;
  const graph = new ReferenceGraph(model);
  const base = graph.evaluate(feeds, [output, wrt]);
  const x = base.get(wrt)!;
  const y = base.get(output)!;
  if (seed.length !== y.data.length) throw new Error(`seed has ${seed.length} values, output ${output} has ${y.data.length}`);
  const grad = new Float64Array(x.data.length);
  if (wrt === output) {
    grad.set(seed);
    return grad;
  }
  const nodes = graph.nodesBetween(wrt, output);
  if (nodes.length === 0) return grad;
  const fixed = new Set([wrt]);
  const loss = (value: Float64Array): number => {
    const values = new Map(base);
    values.set(wrt, { ...x, data: value });
    graph.runNodes(nodes, values, fixed);
    const out = values.get(output)!.data;
    let s = 0;
    for (let k = 0; k < out.length; k++) s += seed[k] * out[k];
    return s;
  };
  const probe = x.data.slice();
  for (let i = 0; i < probe.length; i++) {
    const h = epsilon * Math.max(1, Math.abs(x.data[i]));
    probe[i] = x.data[i] + h;
    const up = loss(probe);
    probe[i] = x.data[i] - h;
    const down = loss(probe);
    probe[i] = x.data[i];
    grad[i] = (up - down) / (2 * h);
  }
  return grad;
}

/** `n` seeded uniform values in [low, high), each exactly representable in float32. */
export function randomFloat32Array(n: number, seed: number, low = -1, high = 1): Float64Array {
  const random = createRandom(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.fround(low + (high - low) * random.next());
  return out;
}

/** max|a − b| / max|b|: an error relative to the reference's scale, not per element. */
export function maxRelativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`maxRelativeError: lengths ${a.length} and ${b.length} differ`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  if (Number.isNaN(diff)) return NaN;
  return scale === 0 ? diff : diff / scale;
}

/** Pearson's r of two maps; two flat maps agree (1), one flat map against a varying one does not (0). */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`pearson: lengths ${a.length} and ${b.length} differ`);
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return saa === 0 || sbb === 0 ? (saa === sbb ? 1 : 0) : sab / Math.sqrt(saa * sbb);
}
