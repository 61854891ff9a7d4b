/**
 * The bootstrap's source of uniform numbers: the engine's one seeded PRNG (util/random.ts), as a
 * plain function so resampling loops stay allocation-free.
 */
import { createRandom as createGenerator } from '../util/random';

export type RandomSource = () => number;

/** Uniform numbers in [0, 1) from a seed; the same seed gives the same sequence. */
export function createRandom(seed: number): RandomSource {
  const generator = createGenerator(seed);
  return () => generator.next();
}
