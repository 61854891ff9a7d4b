/**
 * Keeps a long evaluation's heap near its live size. A run that never idles (every prediction
 * from the cache, say) makes per-case garbage faster than V8 chooses to collect it on a machine
 * with a large default heap limit: at 60,000 images the live data is ~110 MB, yet the heap grew by
 * ~480 MB of garbage before a full collection, so the peak RSS varied from 0.6 to 1.3 GB between
 * identical runs. The guard asks for a full collection whenever the heap has grown by more than
 * `slack` bytes since the last one — a bound on garbage, not on live data, so a dataset whose
 * results really need more memory still gets it. A collection of a few hundred MB takes tens of
 * milliseconds, against tens of seconds of work between two.
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Collect = () => void;

let collect: Collect | undefined | null;

/** V8's full collection, exposed once per process (the `gc` global of --expose-gc). */
function collector(): Collect | undefined {
  if (collect === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      collect = runInNewContext('gc') as Collect;
    } catch {
      collect = null; // not V8, or the flag cannot be set: the guard does nothing
    }
  }
  return collect ?? undefined;
}

export class HeapGuard {
  private baseline = getHeapStatistics().used_heap_size;
  /** Full collections this guard has asked for. */
  collections = 0;

  constructor(private readonly slack = 256 * 1024 * 1024) {}

  /** Collects when the heap has grown by more than the slack since the last collection. */
  check(): void {
    const used = getHeapStatistics().used_heap_size;
    if (used - this.baseline <= this.slack) return;
    const gc = collector();
    if (!gc) return;
    gc();
    this.collections++;
    this.baseline = getHeapStatistics().used_heap_size;
  }
}
