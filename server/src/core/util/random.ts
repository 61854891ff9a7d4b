/**
 * A small seeded PRNG, so that splits, bootstraps and perturbations are reproducible from the
 * config's `seed` (Math.random cannot be seeded). sfc32 (Chris Doty-Humphrey's Small Fast
 * Chaotic generator, 128-bit state) seeded through splitmix32: fast, passes PractRand, and simple
 * enough to re-implement elsewhere (test/fixtures/util/random_reference.py does, for the tests).
 */

export interface Random {
  /** Uniform in [0, 1), 32 bits of resolution. */
  next(): number;
  /** Uniform unsigned 32-bit integer. */
  uint32(): number;
  /** Uniform integer in [0, n) for 1 ≤ n ≤ 2^32. */
  int(n: number): number;
  /** Fills `out` with the next out.length values of uint32(), in order (for hot loops that draw millions). */
  fillUint32(out: Uint32Array): Uint32Array;
  /** Standard normal (Box–Muller; the second value of each pair is kept for the next call). */
  normal(): number;
  /** Fisher–Yates shuffle in place (from the last element down); returns the same array. */
  shuffle<T>(items: T[]): T[];
}

const TWO_POW_32 = 4294967296;

/** One step of splitmix32 on `state`: returns the new state and its mixed output. */
function splitmix32(state: number): [number, number] {
  const next = (state + 0x9e3779b9) | 0;
  let t = next ^ (next >>> 16);
  t = Math.imul(t, 0x21f0aaad);
  t ^= t >>> 15;
  t = Math.imul(t, 0x735a2d97);
  t ^= t >>> 15;
  return [next, t >>> 0];
}

/**
 * Seeds may be any finite number: the integer part is taken and its high 32 bits are folded in,
 * so seeds beyond 2^32 (and negative seeds) still give distinct streams.
 */
function seedState(seed: number): number {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  const s = Math.trunc(seed);
  const lo = s >>> 0;
  const hi = Math.floor(s / TWO_POW_32) >>> 0;
  return (lo ^ Math.imul(hi, 0x9e3779b9)) >>> 0;
}

export function createRandom(seed: number): Random {
  let sm = seedState(seed);
  const words: number[] = [];
  for (let i = 0; i < 4; i++) {
    const [state, out] = splitmix32(sm);
    sm = state;
    words.push(out);
  }
  let [a, b, c, d] = words;

  const uint32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // sfc32's first outputs are still correlated with the seed words; the reference discards 12.
  for (let i = 0; i < 12; i++) uint32();

  const next = (): number => uint32() / TWO_POW_32;
  let spareNormal: number | undefined;

  return {
    next,
    uint32,
    fillUint32(out: Uint32Array): Uint32Array {
      // uint32()'s step on locals: the closure's state is read and written once per batch.
      let [wa, wb, wc, wd] = [a, b, c, d];
      for (let i = 0; i < out.length; i++) {
        const t = (((wa + wb) | 0) + wd) | 0;
        wd = (wd + 1) | 0;
        wa = wb ^ (wb >>> 9);
        wb = (wc + (wc << 3)) | 0;
        wc = (wc << 21) | (wc >>> 11);
        wc = (wc + t) | 0;
        out[i] = t >>> 0;
      }
      [a, b, c, d] = [wa, wb, wc, wd];
      return out;
    },
    int(n: number): number {
      if (!(n >= 1 && n <= TWO_POW_32) || !Number.isInteger(n)) throw new RangeError(`int(n) needs an integer 1 ≤ n ≤ 2^32, got ${n}`);
      return Math.floor(next() * n);
    },
    normal(): number {
      if (spareNormal !== undefined) {
        const z = spareNormal;
        spareNormal = undefined;
        return z;
      }
      // 1 - next() is in (0, 1], so the log is finite.
      const r = Math.sqrt(-2 * Math.log(1 - next()));
      const theta = 2 * Math.PI * next();
      spareNormal = r * Math.sin(theta);
      return r * Math.cos(theta);
    },
    shuffle<T>(items: T[]): T[] {
      for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        const tmp = items[i];
        items[i] = items[j];
        items[j] = tmp;
      }
      return items;
    },
  };
}

/** A seed for the k-th of several related streams (e.g. the k-th try of a split search). */
export function deriveSeed(seed: number, k: number): number {
  const [, out] = splitmix32((seedState(seed) ^ Math.imul(k + 1, 0x85ebca6b)) >>> 0);
  return out;
}
