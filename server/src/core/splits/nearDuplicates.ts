/**
 * Pairs of 64-bit hashes within a Hamming distance, without comparing every pair: multi-index
 * hashing (Norouzi et al.). The 64 bits are cut into d + 1 chunks; two hashes that differ in at
 * most d bits agree exactly on at least one chunk (pigeonhole), so only hashes that share a chunk
 * value, i.e. fall into one bucket, need comparing. On n spread-out hashes that is about
 * (d + 1) · n² / 2^(64/(d+1)) comparisons instead of n² / 2.
 */

export interface HashPair {
  /** Indices into the input, a < b. */
  a: number;
  b: number;
  distance: number;
}

const HEX64 = /^[0-9a-f]{16}$/i;

/** A 16-hex-digit hash as its high and low 32-bit halves. */
export function parseHash64(hex: string): [number, number] {
  if (!HEX64.test(hex)) throw new RangeError(`not a 64-bit hex hash: ${JSON.stringify(hex)}`);
  return [parseInt(hex.slice(0, 8), 16), parseInt(hex.slice(8), 16)];
}

function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

function lowBits(x: number, width: number): number {
  return width >= 32 ? x >>> 0 : (x >>> 0) % 2 ** width;
}

/** Bits [start, start + width) of the 64-bit value hi:lo, counted from the most significant; width ≤ 32. */
function chunkOf(hi: number, lo: number, start: number, width: number): number {
  const end = start + width;
  if (end <= 32) return lowBits(hi >>> (32 - end), width);
  if (start >= 32) return lowBits(lo >>> (64 - end), width);
  const fromLo = end - 32;
  return lowBits(hi, 32 - start) * 2 ** fromLo + (fromLo === 32 ? lo >>> 0 : lo >>> (32 - fromLo));
}

/**
 * Every pair of distinct indices whose hashes (16 hex digits) differ in at most `maxDistance`
 * bits, identical hashes included; sorted by (a, b).
 */
export function findHashPairs(hashes: readonly string[], maxDistance: number): HashPair[] {
  const n = hashes.length;
  const d = Math.floor(maxDistance);
  if (!(d >= 0)) throw new RangeError(`maxDistance must be ≥ 0, got ${maxDistance}`);
  const hi = new Uint32Array(n);
  const lo = new Uint32Array(n);
  hashes.forEach((h, i) => ([hi[i], lo[i]] = parseHash64(h)));
  const distance = (a: number, b: number): number => popcount32(hi[a] ^ hi[b]) + popcount32(lo[a] ^ lo[b]);
  const pairs: HashPair[] = [];

  if (d >= 64) {
    // Every pair qualifies; no index can prune anything.
    for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) pairs.push({ a, b, distance: distance(a, b) });
    return pairs;
  }

  const chunks = d + 1;
  const widths = Array.from({ length: chunks }, (_, k) => Math.floor(64 / chunks) + (k < 64 % chunks ? 1 : 0));
  const starts = widths.map((_, k) => widths.slice(0, k).reduce((s, w) => s + w, 0));
  // One chunk of 64 bits (d = 0) does not fit a number: bucket by the pair of halves instead.
  const keyOf =
    chunks === 1 ? (i: number, _k: number) => hi[i] * 2 ** 32 + lo[i] : (i: number, k: number) => chunkOf(hi[i], lo[i], starts[k], widths[k]);
  const keys = new Float64Array(n * chunks);
  for (let i = 0; i < n; i++) for (let k = 0; k < chunks; k++) keys[i * chunks + k] = keyOf(i, k);

  for (let k = 0; k < chunks; k++) {
    const buckets = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      const key = keys[i * chunks + k];
      const bucket = buckets.get(key);
      if (bucket) bucket.push(i);
      else buckets.set(key, [i]);
    }
    for (const bucket of buckets.values()) {
      for (let x = 0; x < bucket.length; x++) {
        const a = bucket[x];
        for (let y = x + 1; y < bucket.length; y++) {
          const b = bucket[y];
          // A pair that agrees on an earlier chunk was met in that chunk's bucket already.
          let seen = false;
          for (let e = 0; e < k && !seen; e++) seen = keys[a * chunks + e] === keys[b * chunks + e];
          if (seen) continue;
          const dist = distance(a, b);
          if (dist <= d) pairs.push({ a, b, distance: dist });
        }
      }
    }
  }
  return pairs.sort((p, q) => p.a - q.a || p.b - q.b);
}
