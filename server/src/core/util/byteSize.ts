/**
 * A byte count as a person reads it: binary units (a file system's KiB, MiB), three significant
 * digits, the unit chosen so the number is at least 1 (`812 B`, `1.21 KiB`, `48.3 MiB`).
 */
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

export function formatByteSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) throw new RangeError(`formatByteSize: ${bytes} is not a byte count`);
  let unit = 0;
  let value = bytes;
  // Up a unit once the number would round to 1024 (1023.6 KiB is "1 MiB", not "1024 KiB").
  while (unit < UNITS.length - 1 && value >= 1023.5) {
    value /= 1024;
    unit++;
  }
  // Three significant digits, but never an exponent: 100–1023 are whole numbers.
  return `${unit === 0 || value >= 100 ? Math.round(value) : Number(value.toPrecision(3))} ${UNITS[unit]}`;
}
