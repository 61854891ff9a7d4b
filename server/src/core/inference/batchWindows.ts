/**
 * Which samples share a `session.run`, fixed by the case order alone. An evaluation's cases are
 * cut into windows of `window` consecutive cases; once every case of a window has said whether it
 * brings samples (a cache miss) or not (a hit, a case that failed before this model), the window's
 * samples, in case order and slice order, are cut into batches of at most `chunk`. So a batch holds
 * the same samples whatever the number of case workers and whatever order they finish in: on a
 * provider whose results depend on the batch they ran in (GPUs pick kernels by batch size), the
 * results still do not depend on timing or worker count.
 *
 * With `window: 1` nothing waits for another case: each case's samples run in batches of `chunk`
 * as soon as they arrive (what a CPU run does; batching does not make onnxruntime's CPU kernels
 * faster). A window never waits for cases that are not in flight, so callers keep at least
 * `window` cases in flight (casePool does).
 */

/** Where one owner's samples sit in a batch. */
export interface BatchPart<T> {
  tag: T;
  /** Index of the owner's first sample in this batch among the owner's own samples. */
  first: number;
  count: number;
  /** Position of that sample in the batch. */
  at: number;
}

export interface PlannedBatch<T> {
  inputs: Float32Array[];
  parts: BatchPart<T>[];
}

interface Arrival<T> {
  inputs: Float32Array[];
  tag: T | undefined;
}

export class WindowBatcher<T> {
  private readonly open = new Map<number, { arrived: number; entries: (Arrival<T> | undefined)[] }>();
  private readonly seen = new Set<number>();

  /** `cases`: how many cases the stream has (Infinity when unknown; then `window` must be 1). */
  constructor(
    readonly window: number,
    readonly chunk: number,
    readonly cases: number,
  ) {
    if (!(window >= 1 && Number.isInteger(window))) throw new RangeError(`WindowBatcher: window ${window}`);
    if (!(chunk >= 1 && Number.isInteger(chunk))) throw new RangeError(`WindowBatcher: chunk ${chunk}`);
    if (window > 1 && !Number.isFinite(cases)) throw new RangeError('WindowBatcher: a window of several cases needs the number of cases');
  }

  /** Cases of windows still waiting for others. */
  get waiting(): number {
    let n = 0;
    for (const w of this.open.values()) n += w.arrived;
    return n;
  }

  /**
   * Case `index` brings `inputs` (none: it has nothing to run for this model). Returns the batches
   * this completes, in order; an owner (`tag`) with no inputs is in none of them.
   */
  offer(index: number, inputs: readonly Float32Array[], tag?: T): PlannedBatch<T>[] {
    if (!(index >= 0 && index < this.cases && Number.isInteger(index))) throw new RangeError(`WindowBatcher: case ${index} is not one of the stream's ${this.cases}`);
    if (this.seen.has(index)) throw new RangeError(`WindowBatcher: case ${index} offered twice`);
    if (inputs.length > 0 && tag === undefined) throw new RangeError(`WindowBatcher: case ${index} brings samples without an owner`);
    const arrival: Arrival<T> = { inputs: [...inputs], tag };
    if (this.window === 1) return this.cut([arrival]);
    this.seen.add(index);
    const k = Math.floor(index / this.window);
    const start = k * this.window;
    const size = Math.min(this.window, this.cases - start);
    let w = this.open.get(k);
    if (!w) this.open.set(k, (w = { arrived: 0, entries: new Array<Arrival<T> | undefined>(size) }));
    w.entries[index - start] = arrival;
    w.arrived++;
    if (w.arrived < size) return [];
    this.open.delete(k);
    return this.cut(w.entries as Arrival<T>[]);
  }

  /** The arrivals' samples, in order, in batches of at most `chunk`. */
  private cut(arrivals: readonly Arrival<T>[]): PlannedBatch<T>[] {
    const batches: PlannedBatch<T>[] = [];
    let current: PlannedBatch<T> | undefined;
    for (const a of arrivals) {
      let first = 0;
      while (first < a.inputs.length) {
        if (!current || current.inputs.length === this.chunk) batches.push((current = { inputs: [], parts: [] }));
        const count = Math.min(this.chunk - current.inputs.length, a.inputs.length - first);
        current.parts.push({ tag: a.tag as T, first, count, at: current.inputs.length });
        for (let s = first; s < first + count; s++) current.inputs.push(a.inputs[s]);
        first += count;
      }
    }
    return batches;
  }
}
