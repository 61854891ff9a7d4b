import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { UmapMap, UmapPoint, UmapReport } from '../../../../server/src/core/explain/umap/umapPipeline';
import { umapViewData } from '../../../../server/src/core/explain/umap/viewData';

const point = (id: string, x: number, split: string | null, dice: Record<string, number | null>, ood?: boolean): UmapPoint => ({
  id,
  x,
  y: -x,
  split,
  labels: { site: id.startsWith('a') ? 'arm' : 'leg' },
  dice,
  correct: {},
  ...(ood === undefined ? {} : { ood, knn_distance: 1 }),
});

const map = (name: string, points: UmapPoint[]): UmapMap => ({
  name,
  features: name === 'images' ? 'images' : 'layer',
  ...(name === 'images' ? {} : { model: 'm2', layer: 'enc' }),
  dims: 768,
  pca_dims: 32,
  explained_variance: 0.9,
  epochs: 500,
  neighbor_search: { method: 'nn-descent', k: 15, recall: 0.98, recall_sample: 200 },
  seconds: { pca: 0, neighbours: 0, layout: 0, ood: 0 },
  points,
});

const points = [point('a1', 1, 'train', { m1: 0.8, m2: 0.9 }), point('a2', 2, 'test', { m1: 0.7, m2: null }, true), point('b1', 3, null, { m1: null, m2: null }), point('b2', 4, 'test', { m1: 0.5, m2: 0.4 }, false)];
const report = { maps: [map('images', points), map('m2:enc', points.slice(1))] } as unknown as UmapReport;

test('maps column-wise: ids, coordinates, group indices into the sorted groups, best Dice, out-of-distribution verdicts', () => {
  const v = umapViewData(report, 'split', '/out');
  assert.deepEqual(v.groups, ['test', 'train']);
  assert.equal(v.outputDir, '/out');
  const [images, layer] = v.maps!;
  assert.deepEqual(images.ids, ['a1', 'a2', 'b1', 'b2']);
  assert.deepEqual(images.x, [1, 2, 3, 4]);
  assert.deepEqual(images.y, [-1, -2, -3, -4]);
  assert.deepEqual(images.group, [1, 0, -1, 0]);
  assert.deepEqual(images.dice, [0.9, 0.7, null, 0.5]);
  assert.deepEqual(images.ood, [-1, 1, -1, 0]);
  assert.deepEqual(images.neighborSearch, { method: 'nn-descent', recall: 0.98 });
  assert.equal(layer.model, 'm2');
  assert.deepEqual(layer.ids, ['a2', 'b1', 'b2']);
  // The first map also as objects (the result's older shape).
  assert.deepEqual(v.points[0], { imageId: 'a1', x: 1, y: -1, group: 'train', dice: 0.9 });
  assert.deepEqual(v.points[2], { imageId: 'b1', x: 3, y: -3 });
});

test('colour by a label column, or by the model with the best Dice', () => {
  assert.deepEqual(umapViewData(report, 'site').maps![0].group, [0, 0, 1, 1]);
  const best = umapViewData(report, 'best_method');
  assert.deepEqual(best.groups, ['m1', 'm2']);
  assert.deepEqual(best.maps![0].group, [1, 0, -1, 0]);
});
