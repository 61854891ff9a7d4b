/**
 * Hostile inputs of issue 13 items 11-13 and the NIfTI gzip bomb, end to end through `medseg`
 * and the language server: Latin-1 and BOM CSVs, ragged rows, formula-like ids, a decompression
 * bomb, an untrusted workspace whose config points outside it. Each asserts the finding code,
 * the exit status and that every input file is byte-identical afterwards.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import type { Finding } from '../../server/src/core/findings';
import { buildNifti, gzipBomb } from '../core/io/helpers';
import { LspTestClient } from '../lsp/lspClient';
import { assertInputsUnchanged, makeWorkspace, predictionsConfig, runMedseg, snapshotFiles, type Workspace } from './workspace';

const workspaces: Workspace[] = [];
after(() => workspaces.forEach((w) => w.remove()));

async function workspace(options: Parameters<typeof makeWorkspace>[0]): Promise<Workspace> {
  const ws = await makeWorkspace(options);
  workspaces.push(ws);
  return ws;
}

/** `medseg validate --json`: exit status and findings. */
function validate(ws: Workspace): { code: number | null; findings: Finding[] } {
  const r = runMedseg(ws.dir, 'validate', 'exp.medseg.yaml', '--json');
  assert.ok(r.stdout.startsWith('{'), r.stderr + r.stdout);
  return { code: r.code, findings: (JSON.parse(r.stdout) as { findings: Finding[] }).findings };
}

const brief = (findings: Finding[], prefix: string) =>
  findings.filter((f) => f.code.startsWith(prefix)).map((f) => [f.code, f.severity, f.location?.file?.split('/').pop(), f.location?.range?.start.line]);

/** predictionsConfig with a clinical CSV (`patient` groups, `sex` labels); `extra` goes after it (e.g. a splits section). */
const clinicalConfig = (extra = '') =>
  predictionsConfig(['exact'], extra).replace('  masks: masks/{stem}.png', '  masks: masks/{stem}.png\n  labels: clinical.csv\n  group_column: patient\n  label_columns: [sex]');

describe('CSV encodings (item 11)', () => {
  test('a Latin-1 clinical CSV and split file: read as Windows-1252 with a warning at the byte, labels exact, exit 0', async () => {
    const ws = await workspace({ predictionModels: [{ name: 'exact', shift: 0 }], config: clinicalConfig('splits:\n  file: splits.csv') });
    const sexes = ['Männlich', 'Weiblich', 'Männlich', 'Weiblich', 'Männlich', 'Weiblich'];
    ws.write('clinical.csv', Buffer.from(['image_id,patient,sex', ...ws.cases.map((c, i) => `${c.id},p${i},${sexes[i]}`)].join('\r\n') + '\r\n', 'latin1'));
    ws.write('splits.csv', Buffer.from(['image_id,split,Prüfer', ...ws.cases.map((c, i) => `${c.id},${i < 2 ? 'train' : 'test'},Jürgen`)].join('\n') + '\n', 'latin1'));
    const inputs = snapshotFiles(ws.dir);

    const v = validate(ws);
    assert.equal(v.code, 0);
    assert.deepEqual(brief(v.findings, 'dataset/csv'), [
      ['dataset/csv-not-utf8', 'warning', 'clinical.csv', 1],
      ['dataset/csv-not-utf8', 'warning', 'splits.csv', 0],
    ]);
    // Line 2 is `case_000,p0,Männlich`: `case_000,p0,M` is 13 characters, so the ä is column 14.
    assert.match(v.findings.find((f) => f.location?.file?.endsWith('clinical.csv'))!.message, /the byte 0xE4 on line 2, column 14 .* which makes it `ä`/);

    const r = runMedseg(ws.dir, 'evaluate', 'exp.medseg.yaml', '--output', 'out', '--split', 'all');
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(readFileSync(ws.path('out/summary.json'), 'utf8')) as { methods: { exact: { by_label: Record<string, Record<string, unknown>> } } };
    assert.deepEqual(Object.keys(summary.methods.exact.by_label.sex).sort(), ['Männlich', 'Weiblich']);
    assertInputsUnchanged(inputs, ws.dir);
  });

  test('a UTF-8 CSV with a byte-order mark (Excel "CSV UTF-8") is read exactly, with no encoding finding', async () => {
    const ws = await workspace({ predictionModels: [{ name: 'exact', shift: 0 }], config: clinicalConfig() });
    ws.write('clinical.csv', '\ufeff' + ['image_id,patient,sex', ...ws.cases.map((c, i) => `${c.id},p${i},${i % 2 ? 'Weiblich' : 'Männlich'}`)].join('\r\n') + '\r\n');
    const inputs = snapshotFiles(ws.dir);
    const v = validate(ws);
    assert.equal(v.code, 0);
    assert.deepEqual(brief(v.findings, 'dataset/csv'), []);
    const r = runMedseg(ws.dir, 'evaluate', 'exp.medseg.yaml', '--output', 'out');
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(readFileSync(ws.path('out/summary.json'), 'utf8')) as { methods: { exact: { by_label: Record<string, Record<string, unknown>> } } };
    assert.deepEqual(Object.keys(summary.methods.exact.by_label.sex).sort(), ['Männlich', 'Weiblich']);
    assertInputsUnchanged(inputs, ws.dir);
  });

  test('ragged rows (a missing cell, an unquoted comma) are errors at their lines; validate exits 1', async () => {
    const ws = await workspace({ predictionModels: [{ name: 'exact', shift: 0 }], config: clinicalConfig() });
    const rows = ws.cases.map((c, i) => `${c.id},p${i},F`);
    rows[1] = `${ws.cases[1].id},p1`; // line 2: a cell missing
    rows[3] = `${ws.cases[3].id},Smith, J,M`; // line 4: the comma makes a fourth cell
    ws.write('clinical.csv', ['image_id,patient,sex', ...rows].join('\n') + '\n');
    const inputs = snapshotFiles(ws.dir);
    const v = validate(ws);
    assert.equal(v.code, 1);
    assert.deepEqual(brief(v.findings, 'dataset/csv-ragged'), [
      ['dataset/csv-ragged-row', 'error', 'clinical.csv', 2],
      ['dataset/csv-ragged-row', 'error', 'clinical.csv', 4],
    ]);
    assert.match(v.findings.find((f) => f.code === 'dataset/csv-ragged-row')!.message, /^Line 3 of `clinical\.csv` has 2 cells where the header has 3/);
    // Their images have no row now, and say so; no label was read from a shifted row.
    assert.match(v.findings.find((f) => f.code === 'dataset/csv-missing-row')!.message, new RegExp(`2 images have no row .*${ws.cases[1].id}.*${ws.cases[3].id}`));
    assertInputsUnchanged(inputs, ws.dir);
  });
});

describe('formula-like ids (item 12)', () => {
  const ids = ['=HYPERLINK("http:x","y")', '+1', '-1', '@a', 'case_004'];

  test('validate notes them; per_image.csv keeps them exactly; report.html carries them only as JSON text', async () => {
    const ws = await workspace({ ids, predictionModels: [{ name: 'exact', shift: 0 }], config: predictionsConfig(['exact']) });
    const inputs = snapshotFiles(ws.dir);
    const v = validate(ws);
    assert.equal(v.code, 0);
    const note = v.findings.filter((f) => f.code === 'dataset/formula-like-id');
    assert.deepEqual(note.map((f) => f.severity), ['info']);
    for (const id of ids.slice(0, 4)) assert.ok(note[0].message.includes(`\`${id}\``), id);

    const r = runMedseg(ws.dir, 'evaluate', 'exp.medseg.yaml', '--output', 'out');
    assert.equal(r.code, 0, r.stderr);
    const rows = parse(readFileSync(ws.path('out/per_image.csv')), { columns: true }) as { image_id: string }[];
    assert.deepEqual(rows.map((row) => row.image_id).sort(), [...ids].sort());
    assert.ok(readFileSync(ws.path('out/per_image.csv'), 'utf8').includes('\n"=HYPERLINK(""http:x"",""y"")",'), 'quoted by CSV rules, otherwise as is');
    const html = readFileSync(ws.path('out/report.html'), 'utf8');
    const data = /<script id="medseg-data" type="application\/json">([\s\S]*?)<\/script>/.exec(html)!;
    const outsideData = html.replace(data[0], '');
    assert.ok(!outsideData.includes('HYPERLINK'), 'no id in the markup itself: the report draws them as text nodes');
    assert.ok(data[1].includes('=HYPERLINK(\\"http:x\\",\\"y\\")'));
    assertInputsUnchanged(inputs, ws.dir);
  });
});

describe('a NIfTI gzip bomb', () => {
  test('a 32×24 header followed by 512 MiB of zeros fails at once with the promised size; inputs unchanged', async () => {
    const ws = await workspace({
      config: ['dataset:', '  images: images/*', '  masks: masks/{stem}.png', 'models:', '  - name: m', '    predictions: masks/{stem}.png', 'runtime: { cache: "{CACHE}" }'].join('\n'),
    });
    // The header promises 352 + 32 × 24 = 1120 bytes; the gzip stream holds 512 MiB more (~0.5 MB on disk).
    const header = buildNifti({ version: 1, littleEndian: true, dims: [2, 32, 24, 1, 1, 1, 1, 1], datatype: 2, bitpix: 8, pixdim: [1, 1, 1, 1, 0, 0, 0, 0], data: new Uint8Array(0) });
    ws.write('images/bomb.nii.gz', gzipBomb(header, 512));
    ws.write('masks/bomb.png', readFileSync(ws.path(`masks/${ws.cases[0].id}.png`)));
    assert.ok(readFileSync(ws.path('images/bomb.nii.gz')).length < 1_000_000);
    const inputs = snapshotFiles(ws.dir);
    const v = validate(ws);
    assert.equal(v.code, 1);
    const bomb = v.findings.filter((f) => f.location?.file?.endsWith('bomb.nii.gz'));
    assert.deepEqual(bomb.map((f) => [f.code, f.severity]), [['image/unreadable', 'error']]);
    assert.match(bomb[0].message, /the header promises 1120 bytes \(32×24×1 uint8 from offset 352\) but the file holds more/);
    assertInputsUnchanged(inputs, ws.dir);
  });
});

describe('an untrusted workspace whose config points outside it (item 13)', () => {
  test('the language server runs no model and writes nothing outside; the inputs stay as they were', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'medseg-outside-'));
    const ws = await workspace({
      predictionModels: [{ name: 'exact', shift: 0 }],
      config: predictionsConfig(['exact']).replace('runtime: { cache: "{CACHE}" }', `runtime: { cache: "${join(outside, 'cache')}" }\noutput: ${join(outside, 'results')}`),
    });
    const inputs = snapshotFiles(ws.dir);
    const client = await LspTestClient.start({ rootDir: ws.dir, initializationOptions: { trusted: false }, settings: { validation: { images: true, debounceMs: 20 } } });
    try {
      const uri = pathToFileURL(ws.path('exp.medseg.yaml')).toString();
      await client.open(uri, readFileSync(ws.path('exp.medseg.yaml'), 'utf8'));
      const validated = (await client.request('medseg/validate', { uri, images: true })) as { cases: number };
      assert.equal(validated.cases, 6);
      for (const method of ['medseg/evaluate', 'medseg/stressTest', 'medseg/umap']) {
        await assert.rejects(client.request(method, { uri }), (e: { data?: { code?: string } }) => e.data?.code === 'untrusted-workspace', method);
      }
      assert.deepEqual(readdirSync(outside), [], 'neither the scan cache nor results outside the workspace');
      assert.deepEqual([...snapshotFiles(ws.dir)], [...inputs], 'and nothing new inside it');
      assert.equal(existsSync(join(outside, 'cache')), false);
    } finally {
      await client.stop();
      rmSync(outside, { recursive: true, force: true });
    }
    assertInputsUnchanged(inputs, ws.dir);
  });
});
