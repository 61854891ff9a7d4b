import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ProgressIncrements, providerLabel } from '../../../client/src/jobs/progressText';

describe('providerLabel', () => {
  test('shows the setting, and what auto chose after a run', () => {
    assert.equal(providerLabel('auto', undefined), 'auto');
    assert.equal(providerLabel('auto', 'cuda'), 'auto → CUDA');
    assert.equal(providerLabel('auto', 'CPU'), 'auto → CPU');
    assert.equal(providerLabel('cpu', 'cpu'), 'CPU');
    assert.equal(providerLabel('webgpu', undefined), 'WebGPU');
  });
});

describe('ProgressIncrements', () => {
  test('fractions become increments that never go back', () => {
    const p = new ProgressIncrements();
    assert.equal(p.next(0.1), 10);
    assert.equal(p.next(0.05), 0);
    assert.equal(p.next(undefined), 0);
    assert.equal(p.next(0.25), 15);
    assert.equal(p.next(2), 75);
    assert.equal(p.percent, 100);
    assert.equal(p.next(1), 0);
  });
  test('property: the increments of any sequence sum to the highest fraction seen (in percent, capped at 100)', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.double({ min: -1, max: 2, noNaN: true }), { nil: undefined }), { maxLength: 50 }), (fractions) => {
        const p = new ProgressIncrements();
        let sum = 0;
        for (const f of fractions) {
          const inc = p.next(f);
          assert.ok(inc >= 0);
          sum += inc;
        }
        const seen = fractions.filter((f): f is number => f !== undefined).map((f) => Math.min(100, Math.max(0, f * 100)));
        const expected = seen.length ? Math.max(0, ...seen) : 0;
        assert.ok(Math.abs(sum - expected) < 1e-9, `${sum} vs ${expected}`);
      }),
    );
  });
});
