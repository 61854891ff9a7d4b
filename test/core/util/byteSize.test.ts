import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatByteSize } from '../../../server/src/core/util/byteSize';

test('byte counts in binary units with three significant digits, the unit chosen so the number is at least 1', () => {
  const cases: [number, string][] = [
    [0, '0 B'],
    [812, '812 B'],
    [1023, '1023 B'],
    [1024, '1 KiB'],
    [1240, '1.21 KiB'], // 1240 / 1024 = 1.2109…
    [128_000, '125 KiB'], // 128000 / 1024 = 125
    [1_047_552, '1023 KiB'], // exactly 1023 KiB: a whole number, never "1.02e+3 KiB"
    [1_048_064, '1 MiB'], // 1023.5 KiB would round to 1024 KiB: one unit up
    [50_659_000, '48.3 MiB'], // 50659000 / 1048576 = 48.312…
    [3 * 1024 ** 3, '3 GiB'],
  ];
  for (const [bytes, text] of cases) assert.equal(formatByteSize(bytes), text, `${bytes} bytes`);
  assert.throws(() => formatByteSize(-1), RangeError);
  assert.throws(() => formatByteSize(Number.NaN), RangeError);
});
