import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runOutcome, type Finding } from '../../server/src/core/findings';
import { EXIT, exitForOutcome } from '../../server/src/cli/exitCodes';
import { evaluateHelp } from '../../server/src/cli/commands/evaluate';
import { mergeHelp } from '../../server/src/cli/commands/merge';
import { stressHelp } from '../../server/src/cli/commands/stress';
import { explainHelp, umapHelp } from '../../server/src/cli/commands/explain';

const error: Finding = { code: 'model/unreadable', severity: 'error', message: 'm' };
const warning: Finding = { code: 'runtime/cache-not-saved', severity: 'warning', message: 'w' };

test('outcome and exit status: 0 all done (warnings allowed), 3 results with errors, 4 nothing', () => {
  assert.equal(runOutcome(12, []), 'complete');
  assert.equal(runOutcome(12, [warning]), 'complete');
  assert.equal(runOutcome(12, [warning, error]), 'with-errors');
  assert.equal(runOutcome(0, [error]), 'nothing');
  assert.equal(runOutcome(0, []), 'nothing');
  assert.deepEqual(['complete', 'with-errors', 'nothing'].map((o) => exitForOutcome(o as never)), [0, 3, 4]);
  // Every status has one meaning: no two share a number.
  const codes = Object.values(EXIT);
  assert.equal(new Set(codes).size, codes.length);
  assert.deepEqual(EXIT, { ok: 0, inputErrors: 1, usage: 2, finishedWithErrors: 3, nothingEvaluated: 4, internal: 70, cannotWrite: 74, interrupted: 130 });
});

test('the help of every command that produces results documents the exit status', () => {
  for (const help of [evaluateHelp, mergeHelp, stressHelp, explainHelp, umapHelp]) {
    assert.match(help, /Exit status: 0 all done; 3 finished with errors .*4 nothing evaluated; 1 the config has errors/s);
    assert.match(help, /74 an output could not be written/);
  }
});
