/**
 * Issue 13, items 1-3 end to end — silently wrong metrics: masks that miss the foreground rule
 * (0/1 and 16-bit 0/65535 masks with `foreground: 255`, a green-on-black RGB mask), a mask of
 * another size than its image, and an ONNX model whose first output is an auxiliary head. Each
 * once gave a number (Dice 0, or a score of misaligned pixels) with no finding; now each gives
 * its finding, or the right Dice. Every test asserts the finding code, the exit status
 * (cli/exitCodes.ts) of `medseg validate` / `medseg evaluate`, and that every input file is
 * byte-identical afterwards.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { EXIT } from '../../server/src/cli/exitCodes';
import { GraphBuilder } from '../../server/src/core/onnx';
import { buildPng } from '../core/io/helpers';
import { assertInputsUnchanged, discMask, makeWorkspace, runMedseg, snapshotFiles, writeGreyPng, type Workspace } from './workspace';

const W = 32;
const H = 24;

/** The findings a run printed, as `[code, the line]` (compiler-style lines end in `[code]`). */
function findings(r: { stdout: string; stderr: string }): { code: string; line: string }[] {
  return `${r.stdout}\n${r.stderr}`
    .split('\n')
    .map((line) => ({ line, m: /\[([a-z]+\/[a-z0-9-]+)\]\s*$/.exec(line) }))
    .filter((x) => x.m)
    .map((x) => ({ code: x.m![1], line: x.line }));
}

/** Codes per case id (the case named in the line), sorted, for the ids given. */
function codesByCase(r: { stdout: string; stderr: string }, ids: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const f of findings(r)) {
    const id = ids.find((i) => f.line.includes(`${i}:`) || f.line.includes(`${i}.png`));
    if (id) (out[id] ??= []).push(f.code);
  }
  for (const k of Object.keys(out)) out[k].sort();
  return out;
}

/** per_image.csv as {image_id → row} for one method. */
function perImage(ws: Workspace, out: string, method: string): Map<string, Record<string, string>> {
  const [header, ...lines] = readFileSync(ws.path(`${out}/per_image.csv`), 'utf8').trim().split('\n');
  const cols = header.split(',');
  const rows = lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
  return new Map(rows.filter((r) => r.method === method).map((r) => [r.image_id, r]));
}

/** Foreground pixels of a case's disc, counted here from its definition (not by the engine). */
const discArea = (ws: Workspace, id: string) => discMask(ws.cases.find((c) => c.id === id)!, W, H).reduce((a, b) => a + b, 0);

function datasetConfig(foreground: string, models: string): string {
  return ['dataset:', '  images: images/*.png', '  masks: masks/{stem}.png', ...(foreground ? [`  foreground: ${foreground}`] : []), 'models:', models, 'evaluation: { bootstrap: 20 }', 'runtime: { cache: ".cache" }', ''].join('\n');
}

describe('items 1-2: masks the foreground rule cannot read, and a mask of another size than its image', () => {
  // case_000: 0/1 · case_001: 16-bit 0/65535 · case_002: green lesion on black (RGB) ·
  // case_003: mask (and its prediction) at half the image's size · case_004, case_005: 0/255 masks.
  const FAULTY = ['case_000', 'case_001', 'case_002', 'case_003'];
  const GOOD = ['case_004', 'case_005'];
  const IDS = [...FAULTY, ...GOOD];
  let ws: Workspace;
  before(async () => {
    ws = await makeWorkspace({ cases: 6, width: W, height: H, predictionModels: [{ name: 'exact', shift: 0 }] });
    const disc = (id: string) => discMask(ws.cases.find((c) => c.id === id)!, W, H);
    await writeGreyPng(ws.path('masks/case_000.png'), disc('case_000'), W, H, 1);
    ws.write('masks/case_001.png', buildPng({ width: W, height: H, colourType: 0, bitDepth: 16, samples: Array.from(disc('case_001'), (v) => v * 65535) }));
    const green = Buffer.alloc(W * H * 3);
    disc('case_002').forEach((v, p) => green.set(v ? [0, 255, 0] : [0, 0, 0], 3 * p));
    ws.write('masks/case_002.png', await sharp(green, { raw: { width: W, height: H, channels: 3 } }).png().toBuffer());
    const half = discMask({ id: 'case_003', cx: 8, cy: 6, r: 4 }, W / 2, H / 2);
    await writeGreyPng(ws.path('masks/case_003.png'), half, W / 2, H / 2);
    await writeGreyPng(ws.path('preds/exact/case_003.png'), half, W / 2, H / 2);
    const models = '  - name: exact\n    predictions: preds/exact/{stem}.png';
    ws.write('fg255.medseg.yaml', datasetConfig('255', models));
    ws.write('default.medseg.yaml', datasetConfig('', models));
  });
  after(() => ws.remove());

  test('`foreground: 255`, validate: each faulty mask has its finding (was 0 errors), exit 1', () => {
    const inputs = snapshotFiles(ws.dir, ['.cache']);
    const r = runMedseg(ws.dir, 'validate', 'fg255.medseg.yaml');
    assert.equal(r.code, EXIT.inputErrors, r.stderr + r.stdout);
    assert.deepEqual(codesByCase(r, IDS), {
      case_000: ['mask/foreground-rule-matches-nothing'],
      case_001: ['mask/foreground-rule-matches-nothing'],
      case_002: ['mask/colour-labels'],
      case_003: ['image/mask-size-mismatch'],
    });
    assert.match(r.stdout, /case_000: .* \(value 1\) but `foreground: 255` matches none/);
    assert.match(r.stdout, /case_001: .* \(value 65535\) but `foreground: 255` matches none.*`foreground: 65535`/);
    assert.match(r.stdout, /case_003: the mask is 16×12×1 but the image is 32×24×1/);
    assertInputsUnchanged(inputs, ws.dir, ['.cache']);
  });

  test('`foreground: 255`, evaluate: the four faulty cases are skipped with the same codes, the others scored (Dice 1), exit 3 (finished with errors)', () => {
    const inputs = snapshotFiles(ws.dir, ['.cache']);
    const r = runMedseg(ws.dir, 'evaluate', 'fg255.medseg.yaml', '--output', 'out255');
    assert.equal(r.code, EXIT.finishedWithErrors, r.stderr + r.stdout);
    assert.deepEqual(codesByCase(r, IDS), {
      case_000: ['mask/foreground-rule-matches-nothing'],
      case_001: ['mask/foreground-rule-matches-nothing'],
      case_002: ['mask/colour-labels'],
      case_003: ['image/mask-size-mismatch'],
    });
    const rows = perImage(ws, 'out255', 'exact');
    assert.deepEqual([...rows.keys()].sort(), GOOD, 'no row for a case whose reference is not what the file says');
    for (const id of GOOD) assert.deepEqual([Number(rows.get(id)!.dice), Number(rows.get(id)!.ref_pixels)], [1, discArea(ws, id)], id);
    const summary = JSON.parse(readFileSync(ws.path('out255/summary.json'), 'utf8')) as { failures: { image_id: string; code: string }[] };
    assert.deepEqual(summary.failures.map((f) => [f.image_id, f.code]).sort(), [
      ['case_000', 'mask/foreground-rule-matches-nothing'],
      ['case_001', 'mask/foreground-rule-matches-nothing'],
      ['case_002', 'mask/colour-labels'],
      ['case_003', 'image/mask-size-mismatch'],
    ]);
    assertInputsUnchanged(inputs, ws.dir, ['.cache']);
  });

  test('default rule (nonzero), validate: 0/1, 0/65535 and green-on-black masks read; only the size mismatch remains, exit 1', () => {
    const inputs = snapshotFiles(ws.dir, ['.cache']);
    const r = runMedseg(ws.dir, 'validate', 'default.medseg.yaml');
    assert.equal(r.code, EXIT.inputErrors, r.stderr + r.stdout);
    assert.deepEqual(codesByCase(r, IDS), { case_003: ['image/mask-size-mismatch'] });
    assertInputsUnchanged(inputs, ws.dir, ['.cache']);
  });

  test('default rule, evaluate: the right Dice (1, every disc pixel a reference pixel) for 0/1, 16-bit and RGB masks; the misfit skipped, exit 3', () => {
    const inputs = snapshotFiles(ws.dir, ['.cache']);
    const r = runMedseg(ws.dir, 'evaluate', 'default.medseg.yaml', '--output', 'out-default');
    assert.equal(r.code, EXIT.finishedWithErrors, r.stderr + r.stdout);
    assert.deepEqual(codesByCase(r, IDS), { case_003: ['image/mask-size-mismatch'] });
    const rows = perImage(ws, 'out-default', 'exact');
    assert.deepEqual([...rows.keys()].sort(), ['case_000', 'case_001', 'case_002', ...GOOD]);
    // Before: case_002's green mask was read from its red channel (all 0): ref_pixels 0, Dice 0.
    for (const [id, row] of rows) assert.deepEqual([Number(row.dice), Number(row.ref_pixels)], [1, discArea(ws, id)], id);
    assertInputsUnchanged(inputs, ws.dir, ['.cache']);
  });
});

/**
 * Darkness 1 − mean(RGB/255) is 0.70 on the workspace's lesions (110, 70, 50) and 0.35 on skin
 * (200, 160, 140): `seg` = 40 · (darkness − 0.52) is a perfect segmenter. `aux`, listed first as
 * deep-supervision exports do, is its negation max-pooled to half size (at full size when
 * `auxAtFullSize`, so the shapes cannot tell the two apart).
 */
function deepSupervisionModel(auxAtFullSize: boolean): Uint8Array {
  const g = new GraphBuilder('deep-supervision');
  const x = g.input('x', ['N', 3, H, W]);
  const seg = g.conv(x, { weights: [-40 / 3, -40 / 3, -40 / 3], shape: [1, 3, 1, 1], bias: [40 * (1 - 0.52)], name: 'seg' });
  const negated = g.neg(seg);
  const aux = auxAtFullSize ? g.mul(negated, 1, 'aux') : g.maxPool(negated, 2, { strides: [2, 2], pads: [0, 0, 0, 0], name: 'aux' });
  g.output(aux, auxAtFullSize ? ['N', 1, H, W] : ['N', 1, H / 2, W / 2]);
  g.output(seg, ['N', 1, H, W]);
  return g.build();
}

describe('item 3: an ONNX model with an auxiliary head as its first output', () => {
  const IDS = ['case_000', 'case_001', 'case_002', 'case_003'];
  let ws: Workspace;
  const model = (file: string, output = '') => `  - name: deep\n    path: ${file}\n    input: { channels: 3, normalize: unit }${output ? `\n    output: ${output}` : ''}`;
  before(async () => {
    ws = await makeWorkspace({ cases: 4, width: W, height: H });
    writeFileSync(ws.path('deep.onnx'), deepSupervisionModel(false));
    writeFileSync(ws.path('ambiguous.onnx'), deepSupervisionModel(true));
    ws.write('deep.medseg.yaml', datasetConfig('255', model('deep.onnx')));
    ws.write('named.medseg.yaml', datasetConfig('255', model('deep.onnx', '{ name: seg }')));
    ws.write('ambiguous.medseg.yaml', datasetConfig('255', model('ambiguous.onnx')));
  });
  after(() => ws.remove());

  test('unnamed, validate: a model/multiple-outputs warning listing both outputs and the one used, exit 0', () => {
    const inputs = snapshotFiles(ws.dir, ['.cache']);
    const r = runMedseg(ws.dir, 'validate', 'deep.medseg.yaml');
    assert.equal(r.code, EXIT.ok, r.stderr + r.stdout);
    const found = findings(r);
    assert.deepEqual(found.map((f) => f.code), ['model/multiple-outputs']);
    assert.match(found[0].line, /warning: Model `deep`: the graph has 2 outputs \(`aux` float32\[N,1,12,16\], `seg` float32\[N,1,24,32\]\); `seg` is used/);
    assertInputsUnchanged(inputs, ws.dir, ['.cache']);
  });

  test('unnamed, evaluate: the segmentation output is scored (Dice 1, was 0 from the auxiliary head), the warning printed, the output recorded; exit 0', () => {
    const inputs = snapshotFiles(ws.dir, ['.cache']);
    const r = runMedseg(ws.dir, 'evaluate', 'deep.medseg.yaml', '--output', 'out-deep');
    assert.equal(r.code, EXIT.ok, r.stderr + r.stdout);
    assert.deepEqual(findings(r).map((f) => f.code), ['model/multiple-outputs']);
    const rows = perImage(ws, 'out-deep', 'deep');
    assert.deepEqual([...rows.keys()].sort(), IDS);
    for (const [id, row] of rows) assert.deepEqual([Number(row.dice), Number(row.ref_pixels), Number(row.pred_pixels)], [1, discArea(ws, id), discArea(ws, id)], id);
    const summary = JSON.parse(readFileSync(ws.path('out-deep/summary.json'), 'utf8')) as { models: Record<string, { output?: string }> };
    assert.equal(summary.models.deep.output, 'seg');
    assertInputsUnchanged(inputs, ws.dir, ['.cache']);
  });

  test('named `output: { name: seg }`: no warning, exit 0', () => {
    const inputs = snapshotFiles(ws.dir, ['.cache']);
    const r = runMedseg(ws.dir, 'validate', 'named.medseg.yaml');
    assert.equal(r.code, EXIT.ok, r.stderr + r.stdout);
    assert.deepEqual(findings(r), []);
    assertInputsUnchanged(inputs, ws.dir, ['.cache']);
  });

  test('two outputs at the input size and none named: refused in validate (exit 1) and evaluate (model skipped, nothing evaluated, exit 4)', () => {
    const inputs = snapshotFiles(ws.dir, ['.cache']);
    const v = runMedseg(ws.dir, 'validate', 'ambiguous.medseg.yaml');
    assert.equal(v.code, EXIT.inputErrors, v.stderr + v.stdout);
    assert.deepEqual(findings(v).map((f) => f.code), ['model/multiple-outputs']);
    assert.match(findings(v)[0].line, /error: .*2 are at the input's height and width \(`aux`, `seg`\)/);
    const e = runMedseg(ws.dir, 'evaluate', 'ambiguous.medseg.yaml', '--output', 'out-ambiguous');
    assert.equal(e.code, EXIT.nothingEvaluated, e.stderr + e.stdout);
    assert.ok(findings(e).some((f) => f.code === 'model/multiple-outputs' && /Model `deep` is skipped/.test(f.line)), e.stderr);
    assertInputsUnchanged(inputs, ws.dir, ['.cache']);
    rmSync(ws.path('out-ambiguous'), { recursive: true, force: true });
  });
});
