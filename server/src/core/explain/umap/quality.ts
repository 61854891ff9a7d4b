/**
 * How faithfully a 2-D map keeps each point's neighbourhood, for the benchmark and the tests:
 *
 * - trustworthiness (Venna & Kaski 2001, scikit-learn's `sklearn.manifold.trustworthiness`):
 *   1 − 2/(n·k·(2n − 3k − 1)) · Σᵢ Σ_{j ∈ Uᵢ} (r(i, j) − k), where Uᵢ are the map's k nearest
 *   neighbours of i that are not among its k nearest in the input space and r(i, j) is j's rank
 *   by input distance from i (1 = nearest, i itself left out; equal distances ranked by index,
 *   as a stable sort would);
 * - k-NN preservation: the mean share of each point's k nearest input neighbours that are also
 *   among its k nearest on the map.
 *
 * Exact and O(n²·d): one row of input distances per point, shared by every map scored, so two
 * maps of 10,000 points cost one pass.
 */

export interface MapQuality {
  trustworthiness: number;
  knnPreservation: number;
}

/** The k smallest entries of `dist` other than `self` (ties by index): their indices, nearest first. */
function nearest(dist: Float64Array, self: number, k: number, out: Int32Array): void {
  let size = 0;
  for (let j = 0; j < dist.length; j++) {
    if (j === self) continue;
    const v = dist[j];
    if (size === k && !(v < dist[out[k - 1]])) continue;
    // Insertion into the sorted prefix: k is small.
    let p = size < k ? size++ : k - 1;
    while (p > 0 && (dist[out[p - 1]] > v || (dist[out[p - 1]] === v && out[p - 1] > j))) {
      out[p] = out[p - 1];
      p--;
    }
    out[p] = j;
  }
}

export function mapQuality(x: ArrayLike<number>, n: number, d: number, maps: readonly Float64Array[], k = 15): MapQuality[] {
  if (!(k >= 1 && k < n / 2)) throw new RangeError(`trustworthiness needs 1 ≤ k < n/2 (k = ${k}, n = ${n})`);
  const input = new Float64Array(n);
  const onMap = new Float64Array(n);
  const inputNearest = new Int32Array(k);
  const mapNearest = new Int32Array(k);
  const isInputNeighbour = new Uint8Array(n);
  const penalty = maps.map(() => 0);
  const shared = maps.map(() => 0);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < d; t++) row[t] = x[i * d + t];
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t < d; t++) {
        const v = row[t] - x[j * d + t];
        s += v * v;
      }
      input[j] = s;
    }
    nearest(input, i, k, inputNearest);
    for (let t = 0; t < k; t++) isInputNeighbour[inputNearest[t]] = 1;
    maps.forEach((y, m) => {
      for (let j = 0; j < n; j++) {
        const dx = y[2 * i] - y[2 * j];
        const dy = y[2 * i + 1] - y[2 * j + 1];
        onMap[j] = dx * dx + dy * dy;
      }
      nearest(onMap, i, k, mapNearest);
      for (let t = 0; t < k; t++) {
        const j = mapNearest[t];
        if (isInputNeighbour[j]) {
          shared[m]++;
          continue;
        }
        // Rank of j by input distance from i: 1 + the points before it.
        const v = input[j];
        let rank = 1;
        for (let q = 0; q < n; q++) if (q !== i && (input[q] < v || (input[q] === v && q < j))) rank++;
        penalty[m] += rank - k;
      }
    });
    for (let t = 0; t < k; t++) isInputNeighbour[inputNearest[t]] = 0;
  }
  const scale = 2 / (n * k * (2 * n - 3 * k - 1));
  return maps.map((_, m) => ({ trustworthiness: 1 - scale * penalty[m], knnPreservation: shared[m] / (n * k) }));
}
