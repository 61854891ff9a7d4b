/**
 * Argument checks shared by the tests. Wrong shapes are caller bugs, so they throw RangeError with
 * a message that says which argument and why; they are not user-facing findings.
 */

export function requireSample(name: string, values: ArrayLike<number>, minimum: number): void {
  if (values.length < minimum) {
    throw new RangeError(`${name} needs at least ${minimum} value${minimum === 1 ? '' : 's'}, got ${values.length}`);
  }
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new RangeError(`${name}[${i}] is ${values[i]}; every value must be a finite number`);
  }
}

export function requirePairs(a: ArrayLike<number>, b: ArrayLike<number>, minimum: number): void {
  if (a.length !== b.length) throw new RangeError(`paired samples differ in length: ${a.length} and ${b.length}`);
  requireSample('a', a, minimum);
  requireSample('b', b, minimum);
}
