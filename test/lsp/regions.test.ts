// The editor with a region config (issue 16, `dataset.regions`): region names are completed on a
// model's `region:`, and medseg/evaluate returns each region's methods (the notification ranks
// within a region, never across).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import type { CompletionItem } from 'vscode-languageserver';
import type { EvaluateResult } from '../../server/src/protocol';
import { loadConfig } from '../../server/src/core/config';
import { resolveDataset } from '../../server/src/core/dataset';
import { previewCase } from '../../server/src/lsp/preview/previewCase';
import { LspTestClient } from './lspClient';

const W = 16;
/** Kidney (1) rows 4–11, tumour (2) rows 6–7 of columns 4–7; the prediction's tumour is one row taller. */
function labels(pred: boolean): Buffer {
  const b = Buffer.alloc(W * W);
  for (let y = 4; y < 12; y++) for (let x = 4; x < 12; x++) b[y * W + x] = (y === 6 || y === 7 || (pred && y === 8)) && x < 8 ? 2 : 1;
  return b;
}

const CONFIG = `dataset:
  images: images/*.png
  masks: masks/{stem}.png
  regions:
    kidney: [1, 2]
    tumour: { labels: [2] }
models:
  - name: labelled
    predictions: preds/{stem}.png
    prediction_values: labels
  - name: tumour-masks
    predictions: preds/{stem}.png
    prediction_values: labels
    region: 
evaluation: { bootstrap: 20, fusion: [] }
`;

describe('the language server with dataset.regions', () => {
  let dir: string;
  let client: LspTestClient;
  let uri: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'medseg-lsp-regions-'));
    for (const d of ['images', 'masks', 'preds']) mkdirSync(join(dir, d));
    const png = (data: Buffer, file: string) => sharp(data, { raw: { width: W, height: W, channels: 1 } }).toColourspace('b-w').png().toFile(join(dir, file));
    for (const id of ['a', 'b', 'c']) {
      await png(Buffer.from(labels(false).map((v) => v * 100)), `images/${id}.png`);
      await png(labels(false), `masks/${id}.png`);
      await png(labels(true), `preds/${id}.png`);
    }
    uri = pathToFileURL(join(dir, 'kits.medseg.yaml')).href;
    client = await LspTestClient.start({ settings: { validation: { images: false, debounceMs: 20 } }, rootDir: dir });
  });
  after(async () => {
    await client.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a model\'s `region:` completes the region names with their labels', async () => {
    await client.open(uri, CONFIG);
    const line = CONFIG.split('\n').findIndex((l) => l.trim() === 'region:');
    const items = await client.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri }, position: { line, character: 12 } });
    assert.deepEqual(items.map((i) => [i.label, i.detail]), [['kidney', 'region, labels 1, 2'], ['tumour', 'region, labels 2']]);
    await client.close(uri);
  });

  test('medseg/evaluate returns each region\'s methods; their Dice is the label maps\' per region', async () => {
    writeFileSync(join(dir, 'kits.medseg.yaml'), CONFIG.replace('region: \n', 'region: kidney\n'));
    const result = await client.request<EvaluateResult>('medseg/evaluate', { uri, split: 'all' });
    assert.equal(result.outcome, 'complete', JSON.stringify(result.findings));
    assert.deepEqual(result.regions?.map((r) => [r.name, Object.keys(r.methods)]), [['kidney', ['labelled', 'tumour-masks']], ['tumour', ['labelled']]]);
    // Kidney: 64 pixels each, identical. Tumour: 8 reference pixels, 12 predicted, 8 shared: Dice 16/20.
    assert.equal(result.regions![0].methods.labelled.metrics.dice.mean, 1);
    assert.ok(Math.abs(result.regions![1].methods.labelled.metrics.dice.mean! - 0.8) < 1e-12);
    assert.deepEqual(result.methods, result.regions![0].methods);
  });

  test('the preview shows the first region: its reference, its models\' masks and their metrics', async () => {
    const parsed = await loadConfig(join(dir, 'kits.medseg.yaml'));
    assert.ok(parsed.config, JSON.stringify(parsed.findings));
    const p = await previewCase(parsed.config, await resolveDataset(parsed.config), { image: 'b' });
    assert.deepEqual(p.layers.map((l) => l.id).filter((id) => !id.startsWith('heatmap')), ['image', 'reference', 'prediction:labelled', 'errors:labelled', 'prediction:tumour-masks', 'errors:tumour-masks']);
    // The kidney region's metrics of this image (labels 1 and 2 in both maps: identical).
    assert.equal(p.metrics.labelled.dice, 1);
    assert.equal(p.metrics['tumour-masks'].dice, 1);
  });
});
