/**
 * Issue 13, items 7, 8 and 10 end to end: destinations that cannot be written (a path through a
 * regular file, a cache that cannot be saved, a disk that is full), a config with a 200,000-entry
 * list, and the exit status of runs that failed in part or entirely. Each test asserts the finding
 * code, the exit status and that every input file is byte-identical afterwards.
 *
 * Running as root (CI containers), chmod does not stop a write, so read-only destinations are made
 * with real failures that hold for root too: a path whose parent is a regular file (ENOTDIR) or an
 * existing file where a folder must be (EEXIST). A full disk is a fault injected at the write layer
 * of the child process (`faultInjection.cjs`: ENOSPC for writes under one folder).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { extractReportData } from '../../client/src/dashboard/reportSources';
import type { EvaluateResult } from '../../server/src/protocol';
import { LspTestClient } from '../lsp/lspClient';
import { assertInputsUnchanged, makeWorkspace, predictionsConfig, runMedseg, runMedsegWith, snapshotFiles, type Workspace } from './workspace';

const WRITE_FAULT = join(__dirname, 'writeFault.cjs');

/** `medseg` with writes failing as `code` (ENOSPC, EROFS, …) for every path that contains `marker`. */
function runWithWriteFault(cwd: string, code: string, marker: string, ...args: string[]) {
  return runMedsegWith(cwd, { preload: [WRITE_FAULT], env: { MEDSEG_TEST_WRITE_FAULT: `${code}:${marker}` } }, ...args);
}

/** No stack trace and no "internal error": what a fault must never print. */
function assertNoCrash(r: { stderr: string; stdout: string }): void {
  assert.doesNotMatch(r.stderr + r.stdout, /internal error|please report|\n\s+at .+:\d+:\d+\)?\n/i);
}

const MANY = 200_000;

/** A config whose `label_columns` has MANY entries: `c0` … (names, one of which the CSV has) or 0 … (numbers, not names at all). */
function manyLabelColumnsConfig(kind: 'names' | 'numbers'): string {
  return [
    'dataset:',
    '  images: images/*.png',
    '  masks: masks/{stem}.png',
    '  labels: labels.csv',
    `  label_columns: [${Array.from({ length: MANY }, (_, i) => (kind === 'names' ? `c${i}` : String(i))).join(', ')}]`,
    'models:',
    '  - name: exact',
    '    predictions: preds/exact/{stem}.png',
    'runtime: { cache: "{CACHE}" }',
    '',
  ].join('\n');
}

// Two paths that spread a finding list into push(): the config check (schema findings, where the
// language server's main thread parses) and the dataset check (resolve, in the engine worker).
describe('item 8: a 200,000-entry list in a config gives findings, not a RangeError', () => {
  let ws: Workspace;
  before(async () => {
    ws = await makeWorkspace({ cases: 2, predictionModels: [{ name: 'exact', shift: 0 }], config: manyLabelColumnsConfig('names') });
    ws.write('numbers.medseg.yaml', manyLabelColumnsConfig('numbers').replace('{CACHE}', ws.path('.cache')));
    ws.write('labels.csv', `image_id,c0\n${ws.cases.map((c) => `${c.id},x`).join('\n')}\n`);
  });
  after(() => ws.remove());

  test('medseg validate, entries that are not names: one config/wrong-type per entry, exit 1', () => {
    const inputs = snapshotFiles(ws.dir, ['.cache']);
    const r = runMedsegWith(ws.dir, {}, 'validate', 'numbers.medseg.yaml');
    assertNoCrash(r);
    assert.equal(r.code, 1, r.stderr.slice(0, 2000));
    const wrong = r.stdout.split('\n').filter((l) => l.endsWith('[config/wrong-type]'));
    assert.equal(wrong.length, MANY);
    assert.match(wrong[MANY - 1], /`dataset\.label_columns\[199999\]` must be a string, not 199999\./);
    assertInputsUnchanged(inputs, ws.dir, ['.cache']);
  });

  test('medseg validate, names the CSV lacks: one csv-missing-column error per absent column, exit 1', () => {
    const inputs = snapshotFiles(ws.dir, ['.cache']);
    const r = runMedsegWith(ws.dir, {}, 'validate', 'exp.medseg.yaml');
    assertNoCrash(r);
    assert.equal(r.code, 1, r.stderr.slice(0, 2000));
    const missing = r.stdout.split('\n').filter((l) => l.endsWith('[dataset/csv-missing-column]'));
    assert.equal(missing.length, MANY - 1, 'c1 … c199999 are not columns of labels.csv; c0 is');
    assert.match(missing[0], /`c1` is not a column of `labels.csv`/);
    assert.match(r.stderr, new RegExp(`${MANY - 1} errors`));
    assertInputsUnchanged(inputs, ws.dir, ['.cache']);
  });

  test('language server: both arrive as diagnostics (needs `npm run build`)', async () => {
    const inputs = snapshotFiles(ws.dir, ['.cache']);
    const client = await LspTestClient.start({ settings: { validation: { images: false, debounceMs: 20 } }, rootDir: ws.dir });
    try {
      const numbers = pathToFileURL(ws.path('numbers.medseg.yaml')).toString();
      await client.open(numbers, manyLabelColumnsConfig('numbers').replaceAll('{CACHE}', ws.path('.cache')));
      const wrong = await client.waitForDiagnostics(numbers, (d) => d.some((x) => x.code === 'config/wrong-type'), 120_000);
      assert.equal(wrong.diagnostics.filter((d) => d.code === 'config/wrong-type').length, MANY);
      const names = pathToFileURL(ws.path('exp.medseg.yaml')).toString();
      await client.open(names, manyLabelColumnsConfig('names').replaceAll('{CACHE}', ws.path('.cache')));
      const missing = await client.waitForDiagnostics(names, (d) => d.some((x) => x.code === 'dataset/csv-missing-column'), 120_000);
      assert.equal(missing.diagnostics.filter((d) => d.code === 'dataset/csv-missing-column').length, MANY - 1);
      assert.doesNotMatch(client.logs.join('\n') + client.stderr, /RangeError|Maximum call stack/);
    } finally {
      await client.stop();
    }
    assertInputsUnchanged(inputs, ws.dir, ['.cache']);
  });
});

describe('item 7: destinations that cannot be written end in a finding naming the path and the fix', () => {
  let ws: Workspace;
  let blocker: string;
  before(async () => {
    ws = await makeWorkspace({ cases: 4, predictionModels: [{ name: 'exact', shift: 0 }, { name: 'shifted', shift: 2 }], config: predictionsConfig(['exact', 'shifted']) });
    // A regular file where a folder is wanted: mkdir under it fails with ENOTDIR, for root too.
    blocker = ws.path('blocker.txt');
    writeFileSync(blocker, 'not a folder\n');
  });
  after(() => ws.remove());

  test('evaluate --output under a regular file: io/unwritable, exit 74, --output named, nothing else written', () => {
    const inputs = snapshotFiles(ws.dir, ['.cache']);
    const r = runMedseg(ws.dir, 'evaluate', 'exp.medseg.yaml', '--output', 'blocker.txt/results');
    assertNoCrash(r);
    assert.equal(r.code, 74, r.stderr);
    assert.match(r.stderr, /blocker\.txt.* cannot be written: a part of the path is a file, not a folder \(ENOTDIR\)\. Choose a writable results folder: `--output DIR`.*\[io\/unwritable\]/);
    assertInputsUnchanged(inputs, ws.dir, ['.cache']);
    assert.equal(readFileSync(blocker, 'utf8'), 'not a folder\n');
  });

  test('evaluate --output naming an existing file: io/unwritable (EEXIST), exit 74', () => {
    const inputs = snapshotFiles(ws.dir, ['.cache']);
    const r = runMedseg(ws.dir, 'evaluate', 'exp.medseg.yaml', '--output', 'blocker.txt');
    assertNoCrash(r);
    assert.equal(r.code, 74, r.stderr);
    assert.match(r.stderr, /blocker\.txt cannot be written: a file is in the place of a folder \(EEXIST\).*\[io\/unwritable\]/);
    assertInputsUnchanged(inputs, ws.dir, ['.cache']);
  });

  test('every command that writes a results folder: exit 74 with io/unwritable, never 70', () => {
    const inputs = snapshotFiles(ws.dir, ['.cache']);
    const runs: [string, string[]][] = [
      ['stress', ['stress', 'exp.medseg.yaml', '--perturbations', 'none', '--output', 'blocker.txt/r']],
      ['explain', ['explain', 'exp.medseg.yaml', '--output', 'blocker.txt/r']],
      ['umap', ['umap', 'exp.medseg.yaml', '--output', 'blocker.txt/r']],
      ['split', ['split', 'exp.medseg.yaml', '--tries', '1', '--out', 'blocker.txt/splits.csv']],
    ];
    for (const [name, args] of runs) {
      const r = runMedseg(ws.dir, ...args);
      assertNoCrash(r);
      assert.equal(r.code, 74, `${name}: ${r.stderr}`);
      assert.match(r.stderr, /blocker\.txt.* cannot be written: .*\((ENOTDIR|EEXIST)\).*\[io\/unwritable\]/, name);
      assert.match(r.stderr, name === 'split' ? /--out FILE/ : /--output DIR/, name);
    }
    assertInputsUnchanged(inputs, ws.dir, ['.cache']);
  });

  test('merge --output under a regular file: exit 74', () => {
    const shard = runMedseg(ws.dir, 'evaluate', 'exp.medseg.yaml', '--shard', '1/1', '--output', 's1');
    assert.equal(shard.code, 0, shard.stderr);
    const inputs = snapshotFiles(ws.dir, ['.cache']);
    const r = runMedseg(ws.dir, 'merge', 's1', '--output', 'blocker.txt/merged');
    assertNoCrash(r);
    assert.equal(r.code, 74, r.stderr);
    assert.match(r.stderr, /cannot be written: .*\(ENOTDIR\)\. Choose a writable folder for the merged results with `--output DIR`.*\[io\/unwritable\]/);
    assertInputsUnchanged(inputs, ws.dir, ['.cache']);
  });

  test('validate with runtime.cache under a regular file (a read-only share): completes, exit 0, runtime/cache-not-saved names runtime.cache', () => {
    ws.write('cache-blocked.medseg.yaml', predictionsConfig(['exact', 'shifted']).replace('{CACHE}', 'blocker.txt/cache'));
    const inputs = snapshotFiles(ws.dir, ['.cache']);
    const r = runMedseg(ws.dir, 'validate', 'cache-blocked.medseg.yaml');
    assertNoCrash(r);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const warning = r.stdout.split('\n').find((l) => l.endsWith('[runtime/cache-not-saved]'));
    assert.ok(warning, r.stdout);
    assert.match(warning, /^cache-blocked\.medseg\.yaml:\d+:\d+: warning: The scan cache was not saved in .*blocker\.txt\/cache: .*\(a part of the path is a file, not a folder, ENOTDIR\)\. This run is complete; .*Set `runtime\.cache`/);
    assert.match(r.stderr, /4 cases; 0 errors, 1 warning/);
    assertInputsUnchanged(inputs, ws.dir, ['.cache']);
  });

  test('validate on a share that refuses writes (EROFS injected for the config folder): completes with the warning', () => {
    ws.write('ro.medseg.yaml', predictionsConfig(['exact']).replace('runtime: { cache: "{CACHE}" }', ''));
    const inputs = snapshotFiles(ws.dir, ['.cache']);
    const r = runWithWriteFault(ws.dir, 'EROFS', ws.dir, 'validate', 'ro.medseg.yaml');
    assertNoCrash(r);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /warning: The scan cache was not saved in .*\.medseg-cache: .*\(the file system is read-only, EROFS\).*\[runtime\/cache-not-saved\]/);
    assertInputsUnchanged(inputs, ws.dir, ['.cache']);
    assert.equal(existsSync(ws.path('.medseg-cache')), false);
  });

  test('a disk that is full: evaluate ends with io/disk-full naming the results folder and --output, exit 74', () => {
    const inputs = snapshotFiles(ws.dir, ['.cache']);
    const r = runWithWriteFault(ws.dir, 'ENOSPC', ws.path('full'), 'evaluate', 'exp.medseg.yaml', '--output', 'full');
    assertNoCrash(r);
    assert.equal(r.code, 74, r.stderr);
    assert.match(r.stderr, /full.* cannot be written: no space is left on the device \(ENOSPC\)\. Choose a writable results folder: `--output DIR`.*\[io\/disk-full\]/);
    assertInputsUnchanged(inputs, ws.dir, ['.cache']);
  });

  test('the disk fills while results are replaced: exit 74, and the previous report.html is removed, not left looking current', () => {
    const first = runMedseg(ws.dir, 'evaluate', 'exp.medseg.yaml', '--output', 'again');
    assert.equal(first.code, 0, first.stderr);
    assert.ok(existsSync(ws.path('again/report.html')));
    const inputs = snapshotFiles(ws.dir, ['.cache', 'again']);
    const r = runWithWriteFault(ws.dir, 'ENOSPC', 'per_image.csv', 'evaluate', 'exp.medseg.yaml', '--output', 'again');
    assertNoCrash(r);
    assert.equal(r.code, 74, r.stderr);
    assert.match(r.stderr, /again\/per_image\.csv cannot be written: no space is left on the device \(ENOSPC\)\..*The previous .*again\/report\.html was removed, so no report shows older results as current\. \[io\/disk-full\]/);
    assert.equal(existsSync(ws.path('again/report.html')), false);
    assertInputsUnchanged(inputs, ws.dir, ['.cache', 'again']);
  });

  test('report.html alone cannot be written: the results are, the old report is removed, report/failed says so (exit 0)', () => {
    const first = runMedseg(ws.dir, 'evaluate', 'exp.medseg.yaml', '--output', 'rep');
    assert.equal(first.code, 0, first.stderr);
    const before = readFileSync(ws.path('rep/summary.json'), 'utf8');
    const inputs = snapshotFiles(ws.dir, ['.cache', 'rep']);
    const r = runWithWriteFault(ws.dir, 'ENOSPC', 'report.html', 'evaluate', 'exp.medseg.yaml', '--output', 'rep');
    assertNoCrash(r);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /warning: .*rep\/report\.html was not written: .*\(ENOSPC\).*The previous .*rep\/report\.html was removed.*`medseg compare .*rep` draws the report again.*\[report\/failed\]/);
    assert.equal(existsSync(ws.path('rep/report.html')), false);
    assert.notEqual(readFileSync(ws.path('rep/summary.json'), 'utf8'), before, 'summary.json is this run\'s (a new time stamp)');
    assertInputsUnchanged(inputs, ws.dir, ['.cache', 'rep']);
  });

  test('compare on a results folder that refuses writes: exit 74 with the way out, summary.json unchanged', () => {
    const first = runMedseg(ws.dir, 'evaluate', 'exp.medseg.yaml', '--output', 'cmp');
    assert.equal(first.code, 0, first.stderr);
    const inputs = snapshotFiles(ws.dir, ['.cache']);
    const r = runWithWriteFault(ws.dir, 'EROFS', ws.path('cmp'), 'compare', 'cmp');
    assertNoCrash(r);
    assert.equal(r.code, 74, r.stderr);
    assert.match(r.stderr, /cmp.* cannot be written: the file system is read-only \(EROFS\)\. Copy the results folder to a writable place and run `medseg compare` on the copy\. \[io\/unwritable\]/);
    assertInputsUnchanged(inputs, ws.dir, ['.cache']);
  });
});

/** A config with the predictions models of `predictionsConfig` and ONNX models whose files are `broken/<name>.onnx`. */
function configWithBrokenModels(predictions: string[], broken: string[], extra = ''): string {
  const onnx = broken.map((m) => `  - name: ${m}\n    path: broken/${m}.onnx\n    input: { size: [24, 32], channels: 3 }`).join('\n');
  return predictionsConfig(predictions, extra).replace('evaluation:', `${onnx}\nevaluation:`);
}

interface SummaryJson {
  methods: Record<string, { n: number }>;
  failures: { image_id: string; method?: string; code: string }[];
  skipped_models: { name: string; code: string; reason: string }[];
}

describe('item 10: the exit status tells all evaluated (0), finished with errors (3), nothing evaluated (4); skipped models are recorded', () => {
  let ws: Workspace;
  before(async () => {
    ws = await makeWorkspace({ cases: 4, predictionModels: [{ name: 'exact', shift: 0 }, { name: 'shifted', shift: 2 }] });
    ws.write('broken/bad.onnx', 'this is not an ONNX protobuf');
    ws.write('broken/worse.onnx', '');
  });
  after(() => ws.remove());

  const summaryOf = (dir: string) => JSON.parse(readFileSync(ws.path(`${dir}/summary.json`), 'utf8')) as SummaryJson;

  test('every model and image evaluated: exit 0, skipped_models is empty', () => {
    ws.write('ok.medseg.yaml', predictionsConfig(['exact', 'shifted']).replace('{CACHE}', ws.path('.cache')));
    const inputs = snapshotFiles(ws.dir, ['.cache']);
    const r = runMedseg(ws.dir, 'evaluate', 'ok.medseg.yaml', '--output', 'ok');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(summaryOf('ok').skipped_models, []);
    assertInputsUnchanged(inputs, ws.dir, ['.cache']);
  });

  test('one model cannot run: exit 3; it is in summary.json skipped_models with its code and reason, and in report.html', () => {
    ws.write('skip.medseg.yaml', configWithBrokenModels(['exact'], ['bad']).replace('{CACHE}', ws.path('.cache')));
    const inputs = snapshotFiles(ws.dir, ['.cache']);
    const r = runMedseg(ws.dir, 'evaluate', 'skip.medseg.yaml', '--output', 'skip');
    assertNoCrash(r);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /Model `bad` is skipped: .*bad\.onnx/);
    assert.match(r.stderr, /Finished with errors: 1 model skipped \(bad\) \(summary\.json, report\.html\)\./);
    const summary = summaryOf('skip');
    assert.deepEqual(Object.keys(summary.methods), ['exact']);
    assert.equal(summary.skipped_models.length, 1);
    assert.equal(summary.skipped_models[0].name, 'bad');
    assert.match(summary.skipped_models[0].code, /^model\//);
    assert.match(summary.skipped_models[0].reason, /bad\.onnx/);
    const report = extractReportData(readFileSync(ws.path('skip/report.html'), 'utf8'))!;
    assert.deepEqual(report.skippedModels, summary.skipped_models);
    assertInputsUnchanged(inputs, ws.dir, ['.cache']);
  });

  test('some images fail (a prediction file missing): exit 3, the failures are in summary.json', () => {
    ws.write('partial.medseg.yaml', predictionsConfig(['exact', 'holey']).replace('{CACHE}', ws.path('.cache')));
    for (const c of ws.cases.slice(0, 3)) ws.write(`preds/holey/${c.id}.png`, readFileSync(ws.path(`preds/exact/${c.id}.png`)));
    const inputs = snapshotFiles(ws.dir, ['.cache']);
    const r = runMedseg(ws.dir, 'evaluate', 'partial.medseg.yaml', '--output', 'partial');
    assertNoCrash(r);
    assert.equal(r.code, 3, r.stderr);
    const summary = summaryOf('partial');
    assert.equal(summary.methods.exact.n, 4);
    assert.equal(summary.methods.holey.n, 3);
    // The fusions of exact and holey need both masks, so that case has no fusion either.
    assert.deepEqual(summary.failures.map((f) => [f.image_id, f.method, f.code]), [[ws.cases[3].id, 'holey', 'dataset/missing-prediction'], [ws.cases[3].id, 'fusion', 'fusion/member-missing']]);
    assert.match(r.stderr, /Finished with errors: 2 image results failed \(summary\.json, report\.html\)\./);
    assertInputsUnchanged(inputs, ws.dir, ['.cache']);
  });

  test('every model skipped: exit 4 (nothing evaluated), both in skipped_models', () => {
    ws.write('none.medseg.yaml', configWithBrokenModels([], ['bad', 'worse']).replace('{CACHE}', ws.path('.cache')));
    const inputs = snapshotFiles(ws.dir, ['.cache']);
    const r = runMedseg(ws.dir, 'evaluate', 'none.medseg.yaml', '--output', 'none');
    assertNoCrash(r);
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /Nothing was evaluated: 2 models skipped \(bad, worse\)/);
    assert.deepEqual(summaryOf('none').skipped_models.map((m) => m.name), ['bad', 'worse']);
    assertInputsUnchanged(inputs, ws.dir, ['.cache']);
  });

  test('no case in the split: exit 4', () => {
    const inputs = snapshotFiles(ws.dir, ['.cache']);
    const r = runMedseg(ws.dir, 'evaluate', 'ok.medseg.yaml', '--split', 'val', '--output', 'empty');
    assertNoCrash(r);
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /\[evaluate\/no-cases\]/);
    assertInputsUnchanged(inputs, ws.dir, ['.cache']);
  });

  test('merge carries a model the shard skipped into skipped_models and exits 3', () => {
    const shard = runMedseg(ws.dir, 'evaluate', 'skip.medseg.yaml', '--shard', '1/1', '--output', 'skip-shard');
    assert.equal(shard.code, 3, shard.stderr);
    const inputs = snapshotFiles(ws.dir, ['.cache', 'skip-shard']);
    const r = runMedseg(ws.dir, 'merge', 'skip-shard', '--output', 'skip-merged');
    assertNoCrash(r);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /Model `bad` was skipped by the shards: .*bad\.onnx/);
    assert.deepEqual(summaryOf('skip-merged').skipped_models, summaryOf('skip-shard').skipped_models);
    assertInputsUnchanged(inputs, ws.dir, ['.cache', 'skip-shard']);
  });

  test('compare keeps skipped_models (a results reader that rewrites summary.json)', () => {
    const inputs = snapshotFiles(ws.dir, ['.cache', 'skip']);
    const before = summaryOf('skip').skipped_models;
    assert.deepEqual(before.map((m) => m.name), ['bad']);
    const r = runMedseg(ws.dir, 'compare', 'skip');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(summaryOf('skip').skipped_models, before);
    assertInputsUnchanged(inputs, ws.dir, ['.cache', 'skip']);
  });
});

describe('items 7 and 10 in the editor: the language server reports the same outcomes (needs `npm run build`)', () => {
  let ws: Workspace;
  let client: LspTestClient;
  before(async () => {
    ws = await makeWorkspace({ cases: 4, predictionModels: [{ name: 'exact', shift: 0 }] });
    ws.write('broken/bad.onnx', 'this is not an ONNX protobuf');
    ws.write('blocker.txt', 'not a folder\n');
    ws.write('skip.medseg.yaml', configWithBrokenModels(['exact'], ['bad']).replace('{CACHE}', ws.path('.cache')));
    ws.write('blocked.medseg.yaml', `${predictionsConfig(['exact']).replace('{CACHE}', ws.path('.cache'))}\noutput: blocker.txt/results\n`);
    client = await LspTestClient.start({ settings: { validation: { images: false, debounceMs: 20 } }, rootDir: ws.dir });
  });
  after(async () => {
    await client?.stop();
    ws.remove();
  });

  test('medseg/evaluate with a skipped model: outcome with-errors and the model with its reason', async () => {
    const inputs = snapshotFiles(ws.dir, ['.cache', 'medseg-results']);
    const result = (await client.request('medseg/evaluate', { uri: pathToFileURL(ws.path('skip.medseg.yaml')).toString() })) as EvaluateResult;
    assert.equal(result.outcome, 'with-errors');
    assert.deepEqual(result.skippedModels.map((m) => m.name), ['bad']);
    assert.deepEqual(Object.keys(result.methods), ['exact']);
    assertInputsUnchanged(inputs, ws.dir, ['.cache', 'medseg-results']);
  });

  test('medseg/evaluate into an unwritable output: a request error with io/unwritable, the path and the fix, no stack', async () => {
    const inputs = snapshotFiles(ws.dir, ['.cache']);
    const error = await client.request('medseg/evaluate', { uri: pathToFileURL(ws.path('blocked.medseg.yaml')).toString() }).then(
      () => assert.fail('the evaluation should have been refused'),
      (e: { message: string; data?: { code?: string } }) => e,
    );
    assert.equal(error.data?.code, 'io/unwritable');
    assert.match(error.message, /blocker\.txt.* cannot be written: .*\(ENOTDIR\)\. Choose a writable results folder/);
    assert.doesNotMatch(error.message, /\n\s+at /);
    assert.doesNotMatch(client.logs.join('\n'), /internal error|uncaught/i);
    assertInputsUnchanged(inputs, ws.dir, ['.cache']);
  });
});
