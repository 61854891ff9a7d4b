import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StapleRuns } from '../../../server/src/core/results/stapleRuns';

describe('StapleRuns', () => {
  test('means per member over the cases that were fused, and the runs back as objects in case order', () => {
    const runs = new StapleRuns(2, 4);
    runs.set(2, { sensitivity: [0.5, 0.25], specificity: [1, 0.75], iterations: 7, converged: false });
    runs.set(0, { sensitivity: [0.9, 0.75], specificity: [0.5, 0.25], iterations: 3, converged: true });
    // case 1 and 3 not fused
    assert.equal(runs.count, 2);
    assert.equal(runs.notConverged, 1);
    assert.deepEqual(runs.means('sensitivity'), [(0.9 + 0.5) / 2, (0.75 + 0.25) / 2]);
    assert.deepEqual(runs.means('specificity'), [(0.5 + 1) / 2, (0.25 + 0.75) / 2]);
    assert.deepEqual(runs.toRuns(['a', 'b', 'c', 'd']), [
      { imageId: 'a', sensitivity: [0.9, 0.75], specificity: [0.5, 0.25], iterations: 3, converged: true },
      { imageId: 'c', sensitivity: [0.5, 0.25], specificity: [1, 0.75], iterations: 7, converged: false },
    ]);
    assert.throws(() => runs.set(1, { sensitivity: [1], specificity: [1], iterations: 1, converged: true }), /1 sensitivities for 2 members/);
  });
});
