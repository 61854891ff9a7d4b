import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { improvement, isBetter, metricDirection } from '../../../server/src/core/metrics/direction';
import { METRIC_NAMES } from '../../../server/src/core/config/types';

describe('metric directions', () => {
  test('distances and avd go down, rvd towards 0, every other metric up', () => {
    const lower = METRIC_NAMES.filter((m) => metricDirection(m) === 'lower');
    assert.deepEqual(lower, ['hd95', 'hd', 'assd', 'masd', 'avd']);
    assert.deepEqual(METRIC_NAMES.filter((m) => metricDirection(m) === 'zero'), ['rvd']);
    assert.equal(METRIC_NAMES.filter((m) => metricDirection(m) === 'higher').length, METRIC_NAMES.length - 6);
  });

  test('isBetter and improvement follow the direction', () => {
    assert.equal(isBetter('dice', 0.8, 0.7), true);
    assert.equal(isBetter('hd', 0.8, 0.7), false);
    assert.equal(isBetter('rvd', -0.1, 0.2), true);
    assert.equal(isBetter('rvd', 0.2, 0.2), false);
    assert.ok(Math.abs(improvement('dice', 0.8, 0.7) - 0.1) < 1e-15);
    assert.equal(improvement('hd95', 2, 5), 3);
    assert.ok(Math.abs(improvement('rvd', -0.1, 0.3) - 0.2) < 1e-15);
  });
});
