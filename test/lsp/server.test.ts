/**
 * The language server through the real protocol: `node dist/server.js --stdio` (build first),
 * on a small dataset written here: 16×16 noise images, square masks, two `predictions:` models
 * (one exact, one shifted by two pixels), a clinical CSV whose patient p1 has an image in train
 * and one in test, and a config with a misspelt key.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import sharp from 'sharp';
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
import type { CodeAction, CompletionItem, Diagnostic, DocumentLink, Hover, InlayHint, CodeLens, Range, TextEdit } from 'vscode-languageserver-protocol';
import { GraphBuilder } from '../../server/src/core/onnx';
import { LspTestClient, ROOT } from './lspClient';

const SIZE = 16;
const IDS = ['a', 'b', 'c', 'd', 'e', 'f'];

/** Deterministic noise (an LCG), so no two images are perceptually alike. */
function noise(seed: number): Buffer {
  const out = Buffer.alloc(SIZE * SIZE);
  let x = seed * 7919 + 13;
  for (let i = 0; i < out.length; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out[i] = x % 256;
  }
  return out;
}

/** A 4×4 square of 255 with its top-left corner at (x0, 4). */
function square(x0: number): Buffer {
  const out = Buffer.alloc(SIZE * SIZE);
  for (let y = 4; y < 8; y++) for (let x = x0; x < x0 + 4; x++) out[y * SIZE + x] = 255;
  return out;
}

async function png(path: string, data: Buffer): Promise<void> {
  await sharp(data, { raw: { width: SIZE, height: SIZE, channels: 1 } }).toColourspace('b-w').png().toFile(path);
}

const CONFIG = `name: exp
dataset:
  images: images/*.png
  masks: masks/{stem}_mask.png
  labels: clinical.csv
  volumse: 3d
splits:
  file: splits.csv
models:
  - name: m1
    family: TII
    predictions: preds/m1/{stem}.png
  - name: m2
    family: LMI
    predictions: preds/m2/{stem}.png
evaluation:
  metrics: [dice, iou]
  fusion: [union, intersection]
  bootstrap: 0
`;

/** Zero-based range of the `occurrence`-th match of `needle` in `text` (an independent locator). */
function rangeOf(text: string, needle: string, occurrence = 0): Range {
  let at = -1;
  for (let k = 0; k <= occurrence; k++) at = text.indexOf(needle, at + 1);
  assert.ok(at >= 0, `${needle} not in text`);
  const before = text.slice(0, at).split('\n');
  const line = before.length - 1;
  const character = before[before.length - 1].length;
  return { start: { line, character }, end: { line, character: character + needle.length } };
}

function messageText(d: Diagnostic): string {
  return typeof d.message === 'string' ? d.message : d.message.value;
}

function applyEdits(text: string, edits: TextEdit[]): string {
  const lines = text.split('\n');
  const offset = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((a, l) => a + l.length + 1, 0) + p.character;
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}

const schema = JSON.parse(readFileSync(join(ROOT, 'schemas', 'medseg.schema.json'), 'utf8'));

describe('language server over stdio', { timeout: 20_000 }, () => {
  let dir: string;
  let client: LspTestClient;
  let uri: string;
  let text = CONFIG;
  let version = 1;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'medseg-'));
    for (const sub of ['images', 'masks', 'preds/m1', 'preds/m2']) mkdirSync(join(dir, sub), { recursive: true });
    await Promise.all(
      IDS.flatMap((id, i) => [
        png(join(dir, 'images', `${id}.png`), noise(i + 1)),
        png(join(dir, 'masks', `${id}_mask.png`), square(4)),
        png(join(dir, 'preds', 'm1', `${id}.png`), square(4)),
        png(join(dir, 'preds', 'm2', `${id}.png`), square(6)),
      ]),
    );
    writeFileSync(join(dir, 'clinical.csv'), 'image_id,patient_id,diagnosis\na,p1,nevus\nb,p2,nevus\nc,p3,melanoma\nd,p1,nevus\ne,p4,melanoma\nf,p5,nevus\n');
    writeFileSync(join(dir, 'splits.csv'), 'image_id,split\na,train\nb,train\nc,train\ne,train\nd,test\nf,test\n');
    const file = join(dir, 'exp.medseg.yaml');
    writeFileSync(file, CONFIG);
    uri = pathToFileURL(file).toString();
    // Image checks off: the exact diagnostics below are the metadata ones.
    client = await LspTestClient.start({ settings: { validation: { images: false, debounceMs: 20 } }, rootDir: dir });
  });

  after(async () => {
    await client?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('initialize: incremental sync and the editing features', () => {
    const caps = client.initializeResult.capabilities;
    assert.deepEqual(caps.textDocumentSync, { openClose: true, change: 2, save: { includeText: false } });
    assert.ok(caps.completionProvider && caps.hoverProvider && caps.documentLinkProvider && caps.codeLensProvider && caps.inlayHintProvider);
    assert.deepEqual(caps.executeCommandProvider?.commands, ['medseg.generateSplit', 'medseg.createFolder']);
  });

  test('didOpen: exact diagnostics with code, source, docs link and range', async () => {
    await client.open(uri, text);
    const published = await client.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'split/test-too-small'));
    const byCode = (code: string) => published.diagnostics.filter((d) => d.code === code);
    assert.deepEqual(published.diagnostics.map((d) => d.code).sort(), ['config/unknown-key', 'split/test-too-small']);

    const [typo] = byCode('config/unknown-key');
    assert.deepEqual(typo.range, rangeOf(text, 'volumse'));
    assert.equal(typo.severity, 2);
    assert.equal(typo.source, 'medseg');
    assert.equal(typo.message, 'Unknown key `volumse` in `dataset`: did you mean `volumes`?');
    assert.equal(typo.codeDescription?.href, 'https://github.com/medseg-eval/medseg-eval/blob/main/docs/diagnostics.md#config-unknown-key');

    // Two test images, assumed SD 0.25: t(0.975, 1) · 0.25 / √2 = 12.7062 · 0.17678 = 2.246.
    const [small] = byCode('split/test-too-small');
    assert.deepEqual(small.range, rangeOf(text, 'splits'), 'target_ci_halfwidth is absent: placed on `splits`');
    assert.match(messageText(small), /has 2 images/);
    assert.match(messageText(small), /±2\.246/);
  });

  test('every diagnostic code the engine emits has its section in docs/diagnostics.md', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'diagnostics.md'), 'utf8');
    const anchors = new Set([...doc.matchAll(/<a id="([^"]+)"><\/a>/g)].map((m) => m[1]));
    const codes = new Set<string>();
    const walk = (d: string) => {
      for (const name of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, name.name);
        if (name.isDirectory()) walk(p);
        else if (p.endsWith('.ts')) for (const m of readFileSync(p, 'utf8').matchAll(/'((?:config|dataset|split|image|io|mask|model|prediction|region|runtime|evaluate|fusion|report|results|merge|batch|explain)\/[a-z0-9-]+)'/g)) codes.add(m[1]);
      }
    };
    walk(join(ROOT, 'server', 'src', 'core'));
    const missing = [...codes].filter((c) => !anchors.has(c.replace(/\//g, '-')));
    assert.deepEqual(missing, []);
    assert.ok(codes.has('split/patient-leak') && anchors.has('split-patient-leak'));
  });

  test('code actions: fix the key typo; add group_column from the CSV header', async () => {
    const typo = client.diagnostics.get(uri)!.diagnostics.find((d) => d.code === 'config/unknown-key')!;
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: rangeOf(text, 'labels: clinical.csv'),
      context: { diagnostics: [typo] },
    });
    const fix = actions.find((a) => a.title === 'Change `volumse` to `volumes`');
    assert.ok(fix, JSON.stringify(actions.map((a) => a.title)));
    assert.deepEqual(fix.edit?.changes?.[uri], [{ range: rangeOf(text, 'volumse'), newText: 'volumes' }]);

    const group = actions.find((a) => a.title.startsWith('Add `group_column: patient_id`'));
    assert.ok(group, JSON.stringify(actions.map((a) => a.title)));
    const edits = group.edit!.changes![uri];
    // Inserted after the `labels:` line, at the mapping's indentation.
    const labelsLineEnd = rangeOf(text, 'labels: clinical.csv').end;
    assert.deepEqual(edits, [{ range: { start: labelsLineEnd, end: labelsLineEnd }, newText: '\n  group_column: patient_id' }]);

    // Applying it (as the editor would, incrementally) reveals the planted patient leak.
    text = applyEdits(text, edits);
    await client.change(uri, ++version, edits.map((e) => ({ range: e.range, text: e.newText })));
    const published = await client.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'split/patient-leak'));
    const leak = published.diagnostics.find((d) => d.code === 'split/patient-leak')!;
    assert.equal(leak.severity, 1);
    assert.deepEqual(leak.range, rangeOf(text, 'splits.csv'), 'placed on splits.file');
    assert.match(messageText(leak), /Patient `p1` has images in train and test: `a` \(train\); `d` \(test\)/);
    assert.deepEqual(
      leak.relatedInformation?.map((r) => [r.message, r.location.uri]),
      [
        ['d.png', pathToFileURL(join(dir, 'images', 'd.png')).toString()],
        ['`a` (train)', pathToFileURL(join(dir, 'images', 'a.png')).toString()],
      ],
    );
    assert.equal(leak.codeDescription?.href.endsWith('#split-patient-leak'), true);
    assert.equal(published.version, version);
  });

  test('code action: generate a stratified group split, written on resolve, `splits.file` pointed at it', async () => {
    const leak = client.diagnostics.get(uri)!.diagnostics.find((d) => d.code === 'split/patient-leak')!;
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: leak.range, context: { diagnostics: [leak] } });
    const generate = actions.find((a) => a.title.startsWith('Generate a stratified group split'));
    assert.ok(generate && !generate.edit, 'the edit is computed on resolve');
    const resolved = await client.request<CodeAction>('codeAction/resolve', generate);
    const written = join(dir, 'splits-2.csv'); // splits.csv exists: the next free name
    assert.deepEqual(resolved.edit?.changes?.[uri], [{ range: rangeOf(text, 'splits.csv'), newText: 'splits-2.csv' }]);
    const rows = readFileSync(written, 'utf8').trim().split('\n');
    assert.equal(rows[0], 'image_id,split');
    const split = new Map(rows.slice(1).map((r) => r.split(',') as [string, string]));
    assert.deepEqual([...split.keys()].sort(), IDS);
    assert.equal(split.get('a'), split.get('d'), 'patient p1 stays in one split');
  });

  test('medseg/generateSplit: writes the CSV asked for, with progress on the client token', async () => {
    const out = join(dir, 'requested-split.csv');
    const result = await client.request<{ file: string; rows: number; splits: Record<string, number>; seed: number }>('medseg/generateSplit', {
      uri,
      out,
      seed: 3,
      tries: 2,
      workDoneToken: 'split-1',
    });
    assert.equal(result.file, out);
    assert.equal(result.rows, 6);
    assert.equal(Object.values(result.splits).reduce((a, b) => a + b, 0), 6);
    const rows = readFileSync(out, 'utf8').trim().split('\n').slice(1).map((r) => r.split(','));
    assert.equal(rows.length, 6);
    const split = new Map(rows as [string, string][]);
    assert.equal(split.get('a'), split.get('d'), 'patient p1 stays in one split');
    const events = client.progress.filter((p) => p.token === 'split-1').map((p) => p.value.kind);
    assert.deepEqual([events[0], events[events.length - 1]], ['begin', 'end']);
  });

  test('completion: keys at a position, enum values, model names, label columns from the CSV header', async () => {
    const doc = `dataset:
  images: images/*.png
  labels: clinical.csv
  
  group_column: 
evaluation:
  split: 
  fuse_models: [m1, ]
models:
  - name: m1
    family: TII
    predictions: preds/m1/{stem}.png
  - name: m2
    family: LMI
    predictions: preds/m2/{stem}.png
`;
    const cUri = pathToFileURL(join(dir, 'completion.medseg.yaml')).toString();
    await client.open(cUri, doc);
    const complete = (line: number, character: number) => client.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri: cUri }, position: { line, character } });

    const keys = (await complete(3, 2)).map((i) => i.label).sort();
    const expected = Object.keys(schema.properties.dataset.properties).filter((k) => !['images', 'labels', 'group_column'].includes(k)).sort();
    assert.deepEqual(keys, expected);

    const groupItems = await complete(4, 16);
    assert.deepEqual(groupItems.map((i) => i.label), ['image_id', 'patient_id', 'diagnosis']);
    assert.deepEqual(groupItems[1].textEdit, { range: { start: { line: 4, character: 16 }, end: { line: 4, character: 16 } }, newText: 'patient_id' });

    assert.deepEqual((await complete(6, 9)).map((i) => i.label), ['train', 'val', 'test', 'all']);
    // m1 is listed already; the other model and both families remain.
    assert.deepEqual((await complete(7, 20)).map((i) => i.label), ['m2', 'family:TII', 'family:LMI']);

    // Paths: the folders and CSVs beside the config.
    const paths = await client.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri: cUri }, position: { line: 2, character: 10 } });
    assert.ok(paths.some((i) => i.label === 'clinical.csv') && paths.some((i) => i.label === 'images/'));
    assert.ok(!paths.some((i) => i.label.endsWith('.yaml')), 'only CSVs and folders for `labels`');
    await client.close(cUri);
  });

  test('hover: key docs from the schema, counts per split on `splits`, ONNX metadata on a model path', async () => {
    const hover = (line: number, character: number, u = uri) => client.request<Hover | null>('textDocument/hover', { textDocument: { uri: u }, position: { line, character } });
    const images = (await hover(rangeOf(text, 'images:').start.line, 3))!;
    assert.match((images.contents as { value: string }).value, /^\*\*`dataset\.images`\*\* · string\n\nGlob of images, relative to the config file/);

    const splits = (await hover(rangeOf(text, 'splits:').start.line, 2))!;
    const value = (splits.contents as { value: string }).value;
    assert.match(value, /\| train \| 4 \|\n\| test \| 2 \|\n\| \*\*all\*\* \| \*\*6\*\* \|/);

    const onnx = join(ROOT, 'test', 'fixtures', 'onnx', 'tiny_unet.onnx');
    const meta = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'onnx', 'tiny_unet.json'), 'utf8'));
    const mUri = pathToFileURL(join(dir, 'model.medseg.yaml')).toString();
    const doc = `dataset:\n  images: images/*.png\n  masks: masks/{stem}_mask.png\nmodels:\n  - name: unet\n    path: ${onnx}\n`;
    await client.open(mUri, doc);
    const model = (await hover(5, 12, mUri))!;
    const md = (model.contents as { value: string }).value;
    // One size, in the header, in a unit that fits: the fixture is 32,063 bytes = 31.31 KiB.
    assert.equal(statSync(onnx).size, 32063);
    assert.match(md, /^\*\*Model `unet`\*\* · ONNX · 31\.3 KiB\n/);
    assert.equal(md.match(/\d (B|KiB|MiB|GiB)\b/g)?.length, 1, 'no second size in the body');
    assert.match(md, /input `image`: `float32\[N,3,32,32\]`/);
    assert.match(md, /output `logits`: `float32\[N,2,32,32\]`/);
    assert.match(md, new RegExp(`opset ${meta.onnx_opset}, ir_version ${meta.onnx_ir_version}`));
    await client.close(mUri);
  });

  test('a model with an auxiliary head first: the warning, the outputs and the chosen one on hover, output names completed', async () => {
    // Deep supervision: `aux` (half size) is the graph's first output, `seg` (the input size) the second.
    const g = new GraphBuilder('deep');
    const x = g.input('x', ['N', 3, 16, 16]);
    const seg = g.conv(x, { weights: [1, 1, 1], shape: [1, 3, 1, 1], name: 'seg' });
    g.output(g.maxPool(seg, 2, { strides: [2, 2], pads: [0, 0, 0, 0], name: 'aux' }), ['N', 1, 8, 8]);
    g.output(seg, ['N', 1, 16, 16]);
    writeFileSync(join(dir, 'deep.onnx'), g.build());
    const dUri = pathToFileURL(join(dir, 'deep.medseg.yaml')).toString();
    const doc = 'dataset:\n  images: images/*.png\n  masks: masks/{stem}_mask.png\nmodels:\n  - name: deep\n    path: deep.onnx\n    output:\n      name: s\n';
    await client.open(dUri, doc.replace('    output:\n      name: s\n', ''));
    const published = await client.waitForDiagnostics(dUri, (d) => d.some((x) => x.code === 'model/multiple-outputs'));
    const warning = published.diagnostics.find((d) => d.code === 'model/multiple-outputs')!;
    assert.equal(warning.severity, 2);
    assert.match(messageText(warning), /2 outputs \(`aux` float32\[N,1,8,8\], `seg` float32\[N,1,16,16\]\); `seg` is used/);
    const hover = async (line: number, character: number) => ((await client.request<Hover | null>('textDocument/hover', { textDocument: { uri: dUri }, position: { line, character } }))!.contents as { value: string }).value;
    const onPath = await hover(5, 12);
    assert.match(onPath, /output `aux`: `float32\[N,1,8,8\]`\n- output `seg`: `float32\[N,1,16,16\]`/);
    assert.match(onPath, /Segmentation output: `seg` \(the only one at the input's height and width/);
    await client.change(dUri, 2, [{ text: doc }]);
    const onName = await hover(7, 13);
    assert.match(onName, /Segmentation output: none\. .*`output\.name: s` names no output of the graph/);
    const items = await client.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri: dUri }, position: { line: 7, character: 13 } });
    assert.deepEqual(items.map((i) => [i.label, i.detail]), [['aux', 'output float32[N,1,8,8]'], ['seg', 'output float32[N,1,16,16]']]);
    await client.close(dUri);
  });

  test('document links and code lenses', async () => {
    const links = await client.request<DocumentLink[]>('textDocument/documentLink', { textDocument: { uri } });
    const byTarget = Object.fromEntries(links.map((l) => [l.target!.slice(pathToFileURL(dir).toString().length + 1), l.range]));
    assert.deepEqual(byTarget['clinical.csv'], rangeOf(text, 'clinical.csv'));
    assert.deepEqual(byTarget['images'], rangeOf(text, 'images', 1), 'a glob links its literal folder');
    assert.deepEqual(byTarget['preds/m1'], rangeOf(text, 'preds/m1'));
    assert.ok('splits.csv' in byTarget && 'masks' in byTarget && 'preds/m2' in byTarget);

    const lenses = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
    const at = (line: number) => lenses.filter((l) => l.range.start.line === line).map((l) => [l.command?.title, l.command?.command, l.command?.arguments?.[0]]);
    const expected = [
      ['Evaluate', 'medseg.evaluate', { uri }],
      ['Evaluate on validation split', 'medseg.evaluate', { uri, split: 'val' }],
      ['Preview', 'medseg.openPreview', { uri }],
    ];
    assert.deepEqual(at(0), expected);
    assert.deepEqual(at(rangeOf(text, '- name: m1').start.line), expected);
    assert.deepEqual(at(rangeOf(text, '- name: m2').start.line), expected);
  });

  test('medseg/evaluate: progress on the client token, results on disk, mean Dice as inlay hints', async () => {
    const result = await client.request<{ outputDir: string; images: number; methods: Record<string, { n: number; metrics: Record<string, { mean?: number }> }> }>('medseg/evaluate', {
      uri,
      workDoneToken: 'eval-1',
    });
    // Reference: 16 px square. m1 = the same square: Dice 1. m2 = shifted 2 px: overlap 8 px, Dice 2·8/32 = 0.5, IoU 8/24.
    assert.equal(result.images, 2);
    assert.equal(result.methods.m1.metrics.dice.mean, 1);
    assert.equal(result.methods.m2.metrics.dice.mean, 0.5);
    assert.ok(Math.abs(result.methods.m2.metrics.iou.mean! - 8 / 24) < 1e-12);
    assert.equal(result.outputDir, join(dir, 'medseg-results', 'exp'));
    assert.ok(existsSync(join(result.outputDir, 'summary.json')) && existsSync(join(result.outputDir, 'per_image.csv')));

    const events = client.progress.filter((p) => p.token === 'eval-1').map((p) => p.value.kind);
    assert.equal(events[0], 'begin');
    assert.equal(events[events.length - 1], 'end');
    assert.ok(events.includes('report'));

    const hints = await client.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 30, character: 0 } } });
    assert.deepEqual(
      hints.map((h) => [h.label, h.position]),
      [
        ['Dice 1.000', rangeOf(text, 'm1').end],
        ['Dice 0.500', rangeOf(text, 'm2').end],
      ],
    );
    const results = await client.request<{ rows: { imageId: string; method: string; metrics: { dice?: number } }[] }>('medseg/results', { uri });
    // union = 4×6 px: Dice 2·16/(16+24) = 0.8; intersection = the 8 px overlap: 2·8/(16+8) = 2/3.
    const rows = results.rows.map((r) => [r.imageId, r.method, r.metrics.dice]);
    const perImage = (id: string) => [
      [id, 'm1', 1],
      [id, 'm2', 0.5],
      [id, 'fusion:union', 0.8],
      [id, 'fusion:intersection', 2 / 3],
    ];
    assert.equal(rows.length, 8);
    for (const [i, expected] of [...perImage('d'), ...perImage('f')].entries()) {
      assert.deepEqual(rows[i].slice(0, 2), expected.slice(0, 2));
      assert.ok(Math.abs((rows[i][2] as number) - (expected[2] as number)) < 1e-12, `${rows[i]}`);
    }
  });

  test('medseg/previewData: layers of one case, the error map in the engine colours, neighbours', async () => {
    // Heatmaps `medseg explain` wrote for two methods (heatmaps/<method>/<model>/<id>.png).
    for (const method of ['layercam', 'gradcam']) {
      mkdirSync(join(dir, 'medseg-results', 'exp', 'heatmaps', method, 'm1'), { recursive: true });
      await sharp(Buffer.alloc(SIZE * SIZE, 128), { raw: { width: SIZE, height: SIZE, channels: 1 } }).png().toFile(join(dir, 'medseg-results', 'exp', 'heatmaps', method, 'm1', 'd.png'));
    }
    const preview = await client.request<{
      imageId: string;
      width: number;
      layers: { id: string; kind: string; label: string; png: string }[];
      metrics: Record<string, { dice?: number }>;
      previous?: string;
      next?: string;
      nextWorst?: string;
    }>('medseg/previewData', { uri, image: 'd' });
    assert.equal(preview.imageId, 'd');
    assert.equal(preview.width, SIZE);
    assert.deepEqual(
      preview.layers.map((l) => l.id),
      ['image', 'reference', 'prediction:m1', 'errors:m1', 'heatmap:m1', 'gradcam:m1', 'layercam:m1', 'prediction:m2', 'errors:m2', 'heatmap:m2', 'fusion:union', 'fusion:intersection'],
    );
    assert.deepEqual(preview.layers.filter((l) => l.id.endsWith('cam:m1')).map((l) => [l.kind, l.label]), [['heatmap', 'Grad-CAM of m1'], ['heatmap', 'LayerCAM of m1']]);
    assert.equal(preview.metrics.m2.dice, 0.5);
    // Test split in id order: d, f. Both have Dice 1 with the best model (m1), so f comes next.
    assert.deepEqual([preview.previous, preview.next, preview.nextWorst], [undefined, 'f', 'f']);

    // m2's square is 2 px right of the reference: columns 4–5 missed (FN), 6–7 hit (TP), 8–9 extra (FP).
    const errors = preview.layers.find((l) => l.id === 'errors:m2')!;
    const { data, info } = await sharp(Buffer.from(errors.png.replace(/^data:image\/png;base64,/, ''), 'base64')).raw().toBuffer({ resolveWithObject: true });
    const rgba = (x: number, y: number) => [...data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 4)];
    assert.deepEqual(rgba(4, 5), [0x00, 0x72, 0xb2, 255], 'FN blue');
    assert.deepEqual(rgba(7, 5), [0x00, 0x9e, 0x73, 255], 'TP bluish green');
    assert.deepEqual(rgba(9, 5), [0xd5, 0x5e, 0x00, 255], 'FP vermillion');
    assert.equal(rgba(0, 0)[3], 0, 'TN transparent');

    const images = await client.request<{ images: { id: string; split?: string; dice?: Record<string, number> }[]; methods: string[]; evaluatedSplit?: string; rankedBy?: string }>('medseg/images', { uri, split: 'test' });
    assert.deepEqual(images.images.map((i) => [i.id, i.split, i.dice?.m2]), [
      ['d', 'test', 0.5],
      ['f', 'test', 0.5],
    ]);
    assert.deepEqual(images.methods, ['m1', 'm2', 'fusion:union', 'fusion:intersection']);
    // The evaluation was of the test split; m1 (Dice 1) beats m2 (0.5), so m1's Dice orders the picker.
    assert.deepEqual([images.evaluatedSplit, images.rankedBy], ['test', 'm1']);
    const train = await client.request<{ split?: string; evaluatedSplit?: string; metrics: Record<string, unknown> }>('medseg/previewData', { uri, image: 'a' });
    assert.deepEqual([train.split, train.evaluatedSplit, Object.keys(train.metrics).length], ['train', 'test', 0]);
  });

  test('code action: create a missing folder', async () => {
    const gUri = pathToFileURL(join(dir, 'glob.medseg.yaml')).toString();
    const doc = `dataset:\n  images: scans/png/*.png\n  masks: masks/{stem}_mask.png\nmodels:\n  - name: m1\n    predictions: preds/m1/{stem}.png\n`;
    await client.open(gUri, doc);
    const published = await client.waitForDiagnostics(gUri, (d) => d.some((x) => x.code === 'dataset/no-images'));
    const noImages = published.diagnostics.find((d) => d.code === 'dataset/no-images')!;
    assert.deepEqual(noImages.range, rangeOf(doc, 'scans/png/*.png'));
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: gUri }, range: noImages.range, context: { diagnostics: [noImages] } });
    const create = actions.find((a) => a.title === 'Create folder `scans/png`');
    assert.ok(create?.command, JSON.stringify(actions.map((a) => a.title)));
    await client.request('workspace/executeCommand', { command: create.command.command, arguments: create.command.arguments });
    assert.ok(existsSync(join(dir, 'scans', 'png')));
    await client.close(gUri);
  });

  test('medseg/evaluate: $/cancelRequest cancels it, and the server keeps answering', async () => {
    const source = new CancellationTokenSource();
    const pending = client.request('medseg/evaluate', { uri, split: 'all', workDoneToken: 'eval-2' }, source.token);
    source.cancel();
    await assert.rejects(pending, (err: { code?: number }) => err.code === -32800);
    const hover = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 2 } });
    assert.ok(hover);
    const events = client.progress.filter((p) => p.token === 'eval-2').map((p) => p.value.kind);
    assert.equal(events[events.length - 1], 'end');
  });

  test('medseg/validate with images: work-done progress and counts', async () => {
    const result = await client.request<{ cases: number; splits: Record<string, number>; counts: { error: number } }>('medseg/validate', {
      uri,
      images: true,
      workDoneToken: 'val-1',
    });
    assert.equal(result.cases, 6);
    assert.deepEqual(result.splits, { train: 4, test: 2 });
    assert.equal(result.counts.error, 1, 'the patient leak');
    const events = client.progress.filter((p) => p.token === 'val-1');
    assert.equal(events[0].value.kind, 'begin');
    assert.ok(events.some((e) => e.value.kind === 'report' && /Reading images/.test(e.value.message ?? '')));
    assert.equal(events[events.length - 1].value.kind, 'end');
  });

  test('fuzz: random edits never crash the server; it keeps answering', async () => {
    const fUri = pathToFileURL(join(dir, 'fuzz.medseg.yaml')).toString();
    let fuzzText = CONFIG;
    let fuzzVersion = 1;
    await client.open(fUri, fuzzText);
    const pieces = ['\n', ' ', '  ', '- ', ':', ': ', '[', ']', '{', '}', ',', '#', '"', "'", '*', '&a', '*a', '!!', '|', '>', '\t', 'models', 'dataset', 'images: ', '{stem}', '0', '-1', 'null', '\u00e9', '\ud83d\ude00'];
    const edit = fc.record({
      start: fc.nat(),
      length: fc.nat({ max: 12 }),
      insert: fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 6 })), { maxLength: 5 }).map((a) => a.join('')),
      line: fc.nat({ max: 25 }),
      character: fc.nat({ max: 30 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 4 }), async (edits) => {
        for (const e of edits) {
          const start = e.start % (fuzzText.length + 1);
          const end = Math.min(fuzzText.length, start + e.length);
          const lines = fuzzText.slice(0, start).split('\n');
          const endLines = fuzzText.slice(0, end).split('\n');
          const range = {
            start: { line: lines.length - 1, character: lines[lines.length - 1].length },
            end: { line: endLines.length - 1, character: endLines[endLines.length - 1].length },
          };
          fuzzText = fuzzText.slice(0, start) + e.insert + fuzzText.slice(end);
          await client.change(fUri, ++fuzzVersion, [{ range, text: e.insert }]);
          const position = { line: e.line, character: e.character };
          const [items, hover] = await Promise.all([
            client.request<CompletionItem[] | null>('textDocument/completion', { textDocument: { uri: fUri }, position }),
            client.request<Hover | null>('textDocument/hover', { textDocument: { uri: fUri }, position }),
            client.request('textDocument/codeLens', { textDocument: { uri: fUri } }),
            client.request('textDocument/documentLink', { textDocument: { uri: fUri } }),
            client.request('textDocument/codeAction', { textDocument: { uri: fUri }, range: { start: position, end: position }, context: { diagnostics: [] } }),
          ]);
          assert.ok(Array.isArray(items));
          assert.ok(hover === null || typeof hover === 'object');
        }
      }),
      { numRuns: 40, seed: 20261127 },
    );
    // The server still validates the final text and is alive.
    const final = await client.waitForDiagnostics(fUri, () => true, 5000);
    assert.ok(Array.isArray(final.diagnostics as Diagnostic[]));
    assert.equal(client.exited, undefined);
    await client.close(fUri);
    assert.ok(!/uncaught|unhandled/.test(client.logs.join('\n')), client.logs.join('\n'));
  });
});
