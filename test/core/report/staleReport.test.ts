import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { discardStaleReport, reportFailedFinding } from '../../../server/src/core/report/staleReport';
import { makeTempDir } from '../io/helpers';

test('a report that could not follow its results is removed, and the warning says so', async () => {
  const { dir, cleanup } = makeTempDir();
  try {
    const report = join(dir, 'report.html');
    writeFileSync(report, '<html>the run before</html>');
    const finding = await reportFailedFinding(dir, new Error('disk full'), { file: '/c/exp.medseg.yaml' });
    assert.equal(existsSync(report), false);
    assert.deepEqual(finding, {
      code: 'report/failed',
      severity: 'warning',
      message: `${report} was not written: disk full The previous ${report} was removed, so no report shows older results as current. The other results are written; \`medseg compare ${dir}\` draws the report again from them.`,
      location: { file: '/c/exp.medseg.yaml' },
    });
    // No report there: nothing to say about one.
    assert.equal(await discardStaleReport(dir), '');
    // One that cannot be removed (a folder in its place) is named as still showing the run before.
    mkdirSync(report);
    assert.match(await discardStaleReport(dir), /^The previous .*report\.html could not be removed \(.*\): it shows the results before this run\.$/);
  } finally {
    cleanup();
  }
});
