import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { familyPairs, fusionMembers, unmatchedFusionEntries } from '../../../server/src/core/fusion';

const models = [
  { name: 'tii-sharp', family: 'TII' },
  { name: 'lmi-under', family: 'LMI' },
  { name: 'tii-over', family: 'TII' },
  { name: 'lmi-smallmiss', family: 'LMI' },
  { name: 'other', family: 'CNN' },
];

describe('fusionMembers', () => {
  test('all models by default (no spec or an empty one), in config order', () => {
    const all = ['tii-sharp', 'lmi-under', 'tii-over', 'lmi-smallmiss', 'other'];
    assert.deepEqual(fusionMembers(models), all);
    assert.deepEqual(fusionMembers(models, []), all);
  });

  test('family:X selects a family (case-insensitive), names select models; config order, no repeats', () => {
    assert.deepEqual(fusionMembers(models, ['family:TII']), ['tii-sharp', 'tii-over']);
    assert.deepEqual(fusionMembers(models, ['family:lmi', 'other']), ['lmi-under', 'lmi-smallmiss', 'other']);
    assert.deepEqual(fusionMembers(models, ['tii-over', 'family:TII', 'tii-sharp']), ['tii-sharp', 'tii-over']);
  });

  test('entries that select nothing are reported, not silently dropped', () => {
    assert.deepEqual(fusionMembers(models, ['tii-shrp', 'family:XYZ', 'other']), ['other']);
    assert.deepEqual(unmatchedFusionEntries(models, ['tii-shrp', 'family:XYZ', 'other', 'family:TII']), ['tii-shrp', 'family:XYZ']);
  });
});

describe('familyPairs', () => {
  test('every TII × LMI pair, named union(a+b), in config order', () => {
    assert.deepEqual(familyPairs(models), [
      { name: 'union(tii-sharp+lmi-under)', members: ['tii-sharp', 'lmi-under'] },
      { name: 'union(tii-sharp+lmi-smallmiss)', members: ['tii-sharp', 'lmi-smallmiss'] },
      { name: 'union(tii-over+lmi-under)', members: ['tii-over', 'lmi-under'] },
      { name: 'union(tii-over+lmi-smallmiss)', members: ['tii-over', 'lmi-smallmiss'] },
    ]);
  });

  test('no pairs when a family is missing; other families on request', () => {
    assert.deepEqual(familyPairs(models.filter((m) => m.family !== 'LMI')), []);
    assert.deepEqual(familyPairs(models, ['CNN', 'TII']).map((p) => p.name), ['union(other+tii-sharp)', 'union(other+tii-over)']);
  });
});
