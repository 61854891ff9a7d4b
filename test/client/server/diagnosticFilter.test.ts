import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CrashWindow } from '../../../client/src/server/crashWindow';
import { filterDiagnostics, isSwitchedOff } from '../../../client/src/server/diagnosticFilter';

describe('diagnostic filter', () => {
  const diags = [{ code: 'split/patient-leak' }, { code: 'split/rare-label' }, { code: 'dataset/missing-mask' }, { code: undefined }];
  const codeOf = (d: { code?: string }) => d.code;

  test('exact codes and prefixes ending in / switch checks off; codeless diagnostics stay', () => {
    assert.deepEqual(filterDiagnostics(diags, true, ['split/rare-label', 'dataset/'], codeOf), [{ code: 'split/patient-leak' }, { code: undefined }]);
    assert.equal(isSwitchedOff('split/patient-leak', ['split/patient']), false, 'a prefix needs its slash');
    assert.equal(isSwitchedOff(undefined, ['split/']), false);
  });

  test('disabled: nothing; nothing switched off: everything (a copy)', () => {
    assert.deepEqual(filterDiagnostics(diags, false, [], codeOf), []);
    const all = filterDiagnostics(diags, true, [], codeOf);
    assert.deepEqual(all, diags);
    assert.notEqual(all, diags);
  });
});

describe('CrashWindow', () => {
  test('restarts until the fifth crash within three minutes', () => {
    const w = new CrashWindow(5, 180_000);
    assert.deepEqual([0, 1000, 2000, 3000].map((t) => w.record(t)), [true, true, true, true]);
    assert.equal(w.record(4000), false);
  });
  test('old crashes leave the window', () => {
    const w = new CrashWindow(3, 1000);
    assert.equal(w.record(0), true);
    assert.equal(w.record(500), true);
    assert.equal(w.record(1400), true, 'the crash at 0 fell out (1400 - 0 > 1000)');
    assert.equal(w.record(1450), false, '500, 1400, 1450 are within 1000 ms');
  });
});
