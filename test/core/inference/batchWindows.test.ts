import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WindowBatcher, type PlannedBatch } from '../../../server/src/core/inference/batchWindows';

/** Samples named by case and slice: value 100·case + slice in a one-element array. */
function samples(caseIndex: number, count: number): Float32Array[] {
  return Array.from({ length: count }, (_, s) => Float32Array.of(100 * caseIndex + s));
}

/** A batch as [owner, first, count, at] parts and the sample names in it. */
function shape(batches: PlannedBatch<number>[]): { parts: number[][]; inputs: number[] }[] {
  return batches.map((b) => ({ parts: b.parts.map((p) => [p.tag, p.first, p.count, p.at]), inputs: b.inputs.map((x) => x[0]) }));
}

describe('WindowBatcher', () => {
  test('window 1: each case runs as it comes, its slices cut into chunks', () => {
    const b = new WindowBatcher<number>(1, 2, Infinity);
    assert.deepEqual(shape(b.offer(5, samples(5, 5), 5)), [
      { parts: [[5, 0, 2, 0]], inputs: [500, 501] },
      { parts: [[5, 2, 2, 0]], inputs: [502, 503] },
      { parts: [[5, 4, 1, 0]], inputs: [504] },
    ]);
    assert.deepEqual(b.offer(6, []), []);
    assert.equal(b.waiting, 0);
  });

  test('windows of 3 cases wait for every case (samples or a skip), then run in case order whatever the arrival order', () => {
    // 7 cases: windows {0,1,2}, {3,4,5}, {6}; case 1 and 4 bring nothing (cache hits), case 3 a volume of 3 slices.
    const counts = [1, 0, 1, 3, 0, 1, 1];
    const run = (order: number[]) => {
      const b = new WindowBatcher<number>(3, 2, 7);
      const out: { after: number; batches: ReturnType<typeof shape> }[] = [];
      for (const i of order) {
        const batches = b.offer(i, samples(i, counts[i]), counts[i] > 0 ? i : undefined);
        if (batches.length > 0) out.push({ after: i, batches: shape(batches) });
      }
      assert.equal(b.waiting, 0);
      return out.sort((a, c) => a.batches[0].inputs[0] - c.batches[0].inputs[0]).map((o) => o.batches);
    };
    const expected = [
      [{ parts: [[0, 0, 1, 0], [2, 0, 1, 1]], inputs: [0, 200] }],
      [
        { parts: [[3, 0, 2, 0]], inputs: [300, 301] },
        { parts: [[3, 2, 1, 0], [5, 0, 1, 1]], inputs: [302, 500] },
      ],
      [{ parts: [[6, 0, 1, 0]], inputs: [600] }],
    ];
    assert.deepEqual(run([0, 1, 2, 3, 4, 5, 6]), expected);
    assert.deepEqual(run([6, 5, 2, 4, 0, 3, 1]), expected);
    assert.deepEqual(run([3, 1, 6, 0, 4, 2, 5]), expected);
  });

  test('a window completes only when its last case arrives', () => {
    const b = new WindowBatcher<number>(3, 3, 6);
    assert.deepEqual(b.offer(0, samples(0, 1), 0), []);
    assert.deepEqual(b.offer(2, samples(2, 1), 2), []);
    assert.equal(b.waiting, 2);
    assert.deepEqual(b.offer(4, samples(4, 1), 4), []);
    assert.deepEqual(shape(b.offer(1, [])), [{ parts: [[0, 0, 1, 0], [2, 0, 1, 1]], inputs: [0, 200] }]);
    assert.equal(b.waiting, 1);
  });

  test('a case offered twice, a case outside the stream, samples without an owner are bugs', () => {
    const b = new WindowBatcher<number>(2, 2, 4);
    b.offer(0, samples(0, 1), 0);
    assert.throws(() => b.offer(0, []), /case 0 offered twice/);
    assert.throws(() => b.offer(4, []), /not one of the stream's 4/);
    assert.throws(() => b.offer(1, samples(1, 1)), /without an owner/);
    assert.throws(() => new WindowBatcher(2, 2, Infinity), /needs the number of cases/);
    assert.throws(() => new WindowBatcher(0, 2, 4), /window 0/);
  });
});
