import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { PreviewLayer } from '../../../server/src/protocol';
import { colourMapFor, defaultMethod, fitZoom, formatMetric, initialVisibility, layerMethod, nextZoom, noResultsNote, parseHexColour, pickableMethods, recolour, sortLayers } from '../../../client/src/webview/previewLayers';

// The layer ids the server sends (server/src/lsp/preview/previewCase.ts).
const layers: Pick<PreviewLayer, 'id' | 'kind'>[] = [
  { id: 'image', kind: 'image' },
  { id: 'reference', kind: 'reference' },
  { id: 'prediction:tii-sharp', kind: 'prediction' },
  { id: 'errors:tii-sharp', kind: 'errors' },
  { id: 'heatmap:tii-sharp', kind: 'heatmap' },
  { id: 'prediction:lmi:under', kind: 'prediction' },
  { id: 'errors:lmi:under', kind: 'errors' },
  { id: 'fusion:union', kind: 'fusion' },
];

describe('layerMethod / pickableMethods', () => {
  test('per-method layers name their method after the first colon; fusions are their own method', () => {
    assert.equal(layerMethod({ id: 'errors:tii-sharp', kind: 'errors' }), 'tii-sharp');
    assert.equal(layerMethod({ id: 'prediction:lmi:under', kind: 'prediction' }), 'lmi:under');
    assert.equal(layerMethod({ id: 'fusion:union', kind: 'fusion' }), 'fusion:union');
    assert.equal(layerMethod({ id: 'image', kind: 'image' }), undefined);
    assert.equal(layerMethod({ id: 'reference', kind: 'reference' }), undefined);
  });
  test('methods in layer order without repeats', () => {
    assert.deepEqual(pickableMethods(layers), ['tii-sharp', 'lmi:under', 'fusion:union']);
  });
});

describe('sortLayers', () => {
  test('image at the bottom, error maps on top, server order kept within a kind', () => {
    assert.deepEqual(
      sortLayers(layers).map((l) => l.id),
      ['image', 'heatmap:tii-sharp', 'reference', 'fusion:union', 'prediction:tii-sharp', 'prediction:lmi:under', 'errors:tii-sharp', 'errors:lmi:under'],
    );
  });
});

describe('initialVisibility', () => {
  test('a picked method shows only its layers; its error map replaces its prediction fill', () => {
    const v = initialVisibility(layers, ['image', 'reference', 'prediction', 'errors', 'fusion'], 'tii-sharp');
    assert.deepEqual(Object.fromEntries(v), {
      image: true,
      reference: true,
      'prediction:tii-sharp': false,
      'errors:tii-sharp': true,
      'heatmap:tii-sharp': false,
      'prediction:lmi:under': false,
      'errors:lmi:under': false,
      'fusion:union': false,
    });
  });
  test('without a picked method every listed kind is visible; the image always is', () => {
    const v = initialVisibility(layers, ['prediction'], undefined);
    assert.deepEqual(
      [...v].filter(([, on]) => on).map(([id]) => id),
      ['image', 'prediction:tii-sharp', 'prediction:lmi:under'],
    );
  });
  test('defaultMethod keeps a requested method that exists, else the first model', () => {
    assert.equal(defaultMethod(layers, 'lmi:under'), 'lmi:under');
    assert.equal(defaultMethod(layers, 'nope'), 'tii-sharp');
    assert.equal(defaultMethod([{ id: 'image', kind: 'image' }], undefined), undefined);
  });
});

describe('colours', () => {
  test('parseHexColour reads #rgb and #rrggbb only', () => {
    assert.deepEqual(parseHexColour('#D55E00'), [0xd5, 0x5e, 0x00]);
    assert.deepEqual(parseHexColour(' #0f8 '), [0x00, 0xff, 0x88]);
    assert.equal(parseHexColour(''), undefined);
    assert.equal(parseHexColour('red'), undefined);
    assert.equal(parseHexColour('#12345'), undefined);
  });

  const errorLayer = {
    kind: 'errors' as const,
    legend: [
      { colour: '#009e73', label: 'true positive' },
      { colour: '#d55e00', label: 'false positive (type I)' },
      { colour: '#0072b2', label: 'false negative (type II)' },
    ],
  };

  test('error-map colours map by legend meaning; unset colours keep the server palette', () => {
    const map = colourMapFor(errorLayer, { reference: '', truePositive: '', falsePositive: '#ff00ff', falseNegative: '#000' });
    assert.deepEqual(map, [
      { from: [0xd5, 0x5e, 0x00], to: [0xff, 0x00, 0xff] },
      { from: [0x00, 0x72, 0xb2], to: [0, 0, 0] },
    ]);
  });

  test('recolour swaps exact colours, keeps alpha and leaves transparent and other pixels', () => {
    const map = colourMapFor(errorLayer, { reference: '', truePositive: '', falsePositive: '#ff00ff', falseNegative: '#010203' });
    // pixels: FP opaque, FN half alpha, TP, transparent FP-coloured, unrelated grey
    const px = new Uint8ClampedArray([0xd5, 0x5e, 0x00, 255, 0x00, 0x72, 0xb2, 128, 0x00, 0x9e, 0x73, 255, 0xd5, 0x5e, 0x00, 0, 9, 9, 9, 255]);
    assert.equal(recolour(px, map), 2);
    assert.deepEqual([...px], [255, 0, 255, 255, 1, 2, 3, 128, 0x00, 0x9e, 0x73, 255, 0xd5, 0x5e, 0x00, 0, 9, 9, 9, 255]);
  });

  test('a reference colour repaints every visible pixel of the reference layer', () => {
    const map = colourMapFor({ kind: 'reference' }, { reference: '#102030', truePositive: '', falsePositive: '', falseNegative: '' });
    const px = new Uint8Array([240, 228, 66, 90, 240, 228, 66, 255, 0, 0, 0, 0]);
    assert.equal(recolour(px, map), 2);
    assert.deepEqual([...px], [16, 32, 48, 90, 16, 32, 48, 255, 0, 0, 0, 0]);
  });

  test('no settings, no change', () => {
    const px = new Uint8Array([1, 2, 3, 4]);
    assert.equal(recolour(px, colourMapFor(errorLayer, { reference: '', truePositive: '', falsePositive: '', falseNegative: '' })), 0);
    assert.deepEqual([...px], [1, 2, 3, 4]);
  });
});

describe('zoom', () => {
  test('fitZoom: integer scales up, halvings down', () => {
    assert.equal(fitZoom(128, 128, 600, 500), 3); // 500/128 = 3.9
    assert.equal(fitZoom(512, 512, 600, 500), 0.5); // 500/512 = 0.98
    assert.equal(fitZoom(4000, 100, 600, 500), 0.125); // 600/4000 = 0.15
    assert.equal(fitZoom(0, 10, 600, 500), 1);
  });
  test('nextZoom walks the steps both ways and stops at the ends', () => {
    assert.equal(nextZoom(1, 1), 2);
    assert.equal(nextZoom(3, -1), 2);
    assert.equal(nextZoom(2.5, 1), 3);
    assert.equal(nextZoom(32, 1), 32);
    assert.equal(nextZoom(0.125, -1), 0.125);
  });
  test('property: zooming in then out returns to a step', () => {
    const steps = [0.125, 0.25, 0.5, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32];
    fc.assert(
      fc.property(fc.constantFrom(...steps.slice(0, -1)), (z) => {
        assert.equal(nextZoom(nextZoom(z, 1), -1), z);
      }),
    );
  });
});

test('formatMetric: three decimals, hd95 with two, counts as integers, undefined as a dash', () => {
  assert.equal(formatMetric('dice', 0.81234), '0.812');
  assert.equal(formatMetric('hd95', 3.14159), '3.14');
  assert.equal(formatMetric('hd95', 4), '4');
  assert.equal(formatMetric('ref_pixels', 1234), '1234');
  assert.equal(formatMetric('dice', undefined), '–');
  assert.equal(formatMetric('dice', Number.NaN), '–');
});

test('an image without results says why: no evaluation, another split, or a failure', () => {
  assert.equal(noResultsNote({ split: 'train' }), 'No results yet: run MedSeg: Run Evaluation.');
  assert.equal(
    noResultsNote({ split: 'train', evaluatedSplit: 'test' }),
    'No results for this image: the last evaluation was of the test split and this image is in train. Pick a test image (Open Preview lists them first, worst Dice first), or evaluate train (MedSeg: Run Evaluation).',
  );
  assert.match(noResultsNote({ split: 'test', evaluatedSplit: 'test' }), /^No results for this image in the last evaluation \(test split\): it could not be evaluated/);
  assert.match(noResultsNote({ split: 'train', evaluatedSplit: 'all' }), /\(all images\): it could not be evaluated/);
});
