import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { InputError } from '../../../server/src/core/findings';
import { perImageCsvChunks, type PerImageRow } from '../../../server/src/core/results/perImage';
import { PerImageTable } from '../../../server/src/core/results/perImageTable';
import { readPerImageTable } from '../../../server/src/core/results/readPerImage';
import { writeChunksAtomic } from '../../../server/src/core/results/spoolFile';

function row(imageId: string, method: string, dice: number | undefined, extra: Partial<PerImageRow> = {}): PerImageRow {
  return {
    imageId,
    split: 'test',
    method,
    metrics: { dice, iou: undefined, sensitivity: undefined, specificity: undefined, precision: undefined, auroc: undefined, hd95: undefined },
    refPixels: 4,
    predPixels: 3,
    tp: 3,
    fp: 0,
    fn: 1,
    tn: 12,
    source: undefined,
    ...extra,
  };
}

// Three images given out of id order; `b` has no row for model m2 (a failed prediction).
const rows: PerImageRow[] = [
  row('c', 'm1', 0.5),
  row('c', 'm2', 0.25, { metrics: { dice: 0.25, hd95: 1.5, iou: undefined, sensitivity: undefined, specificity: undefined, precision: undefined, auroc: undefined } }),
  row('a,1', 'm1', undefined, { refPixels: 0, predPixels: 0, tp: 0, fn: 0, tn: 16 }),
  row('a,1', 'm2', 1),
  row('a,1', 'fusion:best', 1, { source: 'm2' }),
  row('b', 'm1', 0.75, { split: '' }),
];

describe('PerImageTable', () => {
  test('rows go in and come back out unchanged, in image-then-method order', () => {
    const table = PerImageTable.fromRows(rows, ['m1', 'm2', 'fusion:best']);
    assert.equal(table.size, 6);
    assert.deepEqual(table.imageIds, ['c', 'a,1', 'b']);
    assert.deepEqual(table.methods, ['m1', 'm2', 'fusion:best']);
    const expected = [rows[0], rows[1], rows[2], rows[3], rows[4], rows[5]];
    assert.deepEqual(table.toRows(), expected);
  });

  test('columns: NaN where a metric is undefined or a row is missing; presence and counts per method', () => {
    const table = PerImageTable.fromRows(rows, ['m1', 'm2', 'fusion:best']);
    assert.deepEqual(Array.from(table.column('m1', 'dice')), [0.5, NaN, 0.75]);
    assert.deepEqual(Array.from(table.column('m2', 'dice')), [0.25, 1, NaN]);
    assert.deepEqual(Array.from(table.column('m2', 'hd95')), [1.5, NaN, NaN]);
    assert.deepEqual(Array.from(table.presence('m2')), [1, 1, 0]);
    assert.deepEqual(Array.from(table.column('unknown', 'dice')), [NaN, NaN, NaN]);
    assert.equal(table.rowsOf('m1'), 3);
    assert.equal(table.rowsOf('fusion:best'), 1);
    assert.equal(table.value('m1', 'dice', 1), undefined);
    assert.equal(table.has('m1', 1), true);
    assert.equal(table.has('m2', 2), false);
    assert.equal(table.count('m1', 'tn', 1), 16);
    assert.equal(table.source('fusion:best', 1), 'm2');
    assert.equal(table.split('m1', 2), '');
    assert.deepEqual(Array.from(table.sortedImageOrder()), [1, 2, 0]); // 'a,1' < 'b' < 'c'
  });

  test('the axis grows past its first capacity without losing values', () => {
    const table = new PerImageTable(['m']);
    for (let i = 0; i < 100; i++) table.set(table.imageIndex(`img${String(i).padStart(3, '0')}`), 'm', row('', 'm', i / 100, { tn: i }));
    assert.equal(table.images, 100);
    const dice = table.column('m', 'dice');
    for (let i = 0; i < 100; i++) {
      assert.equal(dice[i], i / 100);
      assert.equal(table.count('m', 'tn', i), i);
    }
    assert.throws(() => table.set(100, 'm', row('', 'm', 1)), /not on the axis/);
  });

  test('per_image.csv: sorted by id, methods in the given order, quoting and empty cells as RESULTS.md says', () => {
    const table = PerImageTable.fromRows(rows);
    const csv = [...perImageCsvChunks(table, ['m1', 'm2', 'fusion:best'], 64)].join('');
    const expected = [
      'image_id,split,method,dice,iou,sensitivity,specificity,precision,auroc,hd95,ref_pixels,pred_pixels,tp,fp,fn,tn,source',
      '"a,1",test,m1,,,,,,,,0,0,0,0,0,16,',
      '"a,1",test,m2,1,,,,,,,4,3,3,0,1,12,',
      '"a,1",test,fusion:best,1,,,,,,,4,3,3,0,1,12,m2',
      'b,,m1,0.75,,,,,,,4,3,3,0,1,12,',
      'c,test,m1,0.5,,,,,,,4,3,3,0,1,12,',
      'c,test,m2,0.25,,,,,,1.5,4,3,3,0,1,12,',
      '',
    ].join('\n');
    assert.equal(csv, expected);
  });
});

describe('readPerImageTable', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'medseg-perimage-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a written per_image.csv reads back to the same rows and is written again byte for byte', async () => {
    const file = join(dir, 'per_image.csv');
    const order = ['m1', 'm2', 'fusion:best'];
    await writeChunksAtomic(file, perImageCsvChunks(PerImageTable.fromRows(rows), order, 100));
    const back = await readPerImageTable(file);
    assert.deepEqual(back.imageIds, ['a,1', 'b', 'c']);
    const byKey = (r: PerImageRow) => `${r.imageId}|${r.method}`;
    assert.deepEqual(back.toRows(order).sort((x, y) => byKey(x).localeCompare(byKey(y))), [...rows].sort((x, y) => byKey(x).localeCompare(byKey(y))));
    const again = join(dir, 'again.csv');
    await writeChunksAtomic(again, perImageCsvChunks(back, order));
    assert.equal(readFileSync(again, 'utf8'), readFileSync(file, 'utf8'));
  });

  test('further metrics a run selected become columns after hd95, in RESULTS.md order, and read back', async () => {
    // Rows carry the key of every selected metric, undefined or not (computeImageMetrics does).
    const further = [
      row('a', 'm1', 0.5, { metrics: { ...row('a', 'm1', 0.5).metrics, avd: 2.5, nsd: 0.75, mcc: undefined } }),
      row('b', 'm1', 0.25, { metrics: { ...row('b', 'm1', 0.25).metrics, avd: 0, nsd: undefined, mcc: -0.5 } }),
    ];
    const table = PerImageTable.fromRows(further, ['m1']);
    assert.deepEqual(table.furtherMetrics, ['nsd', 'mcc', 'avd']);
    const file = join(dir, 'further.csv');
    await writeChunksAtomic(file, perImageCsvChunks(table, ['m1']));
    const lines = readFileSync(file, 'utf8').split('\n');
    assert.equal(lines[0], 'image_id,split,method,dice,iou,sensitivity,specificity,precision,auroc,hd95,nsd,mcc,avd,ref_pixels,pred_pixels,tp,fp,fn,tn,source');
    assert.equal(lines[1], 'a,test,m1,0.5,,,,,,,0.75,,2.5,4,3,3,0,1,12,');
    assert.equal(lines[2], 'b,test,m1,0.25,,,,,,,,-0.5,0,4,3,3,0,1,12,');
    const back = await readPerImageTable(file);
    assert.deepEqual(back.toRows(['m1']), further);
    assert.deepEqual(back.furtherMetrics, ['nsd', 'mcc', 'avd']);
    assert.deepEqual(Array.from(back.column('m1', 'mcc')), [NaN, -0.5]);
    // a metric nobody selected has no column: NaN, undefined, and no key in the rows
    assert.deepEqual(Array.from(back.column('m1', 'kappa')), [NaN, NaN]);
    assert.equal(back.value('m1', 'kappa', 0), undefined);
    assert.ok(!('kappa' in back.row('m1', 0)!.metrics));
  });

  test('without further metrics the header is the seven-metric one', () => {
    const csv = [...perImageCsvChunks(PerImageTable.fromRows(rows), ['m1'])].join('');
    assert.equal(csv.split('\n')[0], 'image_id,split,method,dice,iou,sensitivity,specificity,precision,auroc,hd95,ref_pixels,pred_pixels,tp,fp,fn,tn,source');
  });

  test('rows go into a given axis; an image not on it is refused when only known images may come', async () => {
    const file = join(dir, 'per_image.csv');
    const table = new PerImageTable(['m1', 'm2', 'fusion:best'], ['a,1', 'b', 'c', 'd']);
    await readPerImageTable(file, { into: table, knownImagesOnly: true });
    assert.equal(table.size, 6);
    assert.deepEqual(Array.from(table.presence('m1')), [1, 1, 1, 0]);
    const small = new PerImageTable(['m1'], ['a,1']);
    await assert.rejects(readPerImageTable(file, { into: small, knownImagesOnly: true }), (err: unknown) => err instanceof InputError && /image b, which is not among/.test(err.message));
  });

  test('older files without the confusion counts are read (counts 0); a file without metric columns or missing is an InputError naming it', async () => {
    const old = join(dir, 'old.csv');
    writeFileSync(old, 'image_id,split,method,dice,iou,sensitivity,specificity,precision,auroc,hd95,ref_pixels,pred_pixels\nx,test,m,0.5,,,,,,,10,6\n');
    const t = await readPerImageTable(old);
    assert.deepEqual(t.row('m', 0), { ...row('x', 'm', 0.5), refPixels: 10, predPixels: 6, tp: 0, fp: 0, fn: 0, tn: 0 });
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'image_id,method,dice\nx,m,0.5\n');
    await assert.rejects(readPerImageTable(bad), (err: unknown) => err instanceof InputError && err.file === bad && /lacks the column\(s\) split, iou/.test(err.message));
    const missing = join(dir, 'nope.csv');
    await assert.rejects(readPerImageTable(missing), (err: unknown) => err instanceof InputError && err.code === 'results/not-found' && err.message.includes(missing));
    const ragged = join(dir, 'ragged.csv');
    writeFileSync(ragged, readFileSync(old, 'utf8') + 'y,test\n');
    await assert.rejects(readPerImageTable(ragged), (err: unknown) => err instanceof InputError && err.code === 'results/unreadable' && err.message.includes(ragged));
  });
});
