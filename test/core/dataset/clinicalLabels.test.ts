import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { resolveDataset } from '../../../server/src/core/dataset';
import type { Finding } from '../../../server/src/core/findings';
import { makeConfig, makeTempDir, writeFiles } from './datasetFixtures';

const lineOf = (f: Finding) => f.location?.range?.start.line;

function withImages(files: Record<string, string>, run: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      writeFiles(dir, ['img/a.png', 'img/b.png', 'img/c.png', 'msk/a.png', 'msk/b.png', 'msk/c.png']);
      writeFiles(dir, files);
      await run(dir);
    } finally {
      cleanup();
    }
  };
}

const dataset = (dir: string, extra: object = {}) => ({
  images: 'img/*.png',
  masks: 'msk/{name}',
  labels: join(dir, 'clinical.csv'),
  groupColumn: 'patient_id',
  labelColumns: ['diagnosis', 'site'],
  ...extra,
});

describe('clinical CSV', () => {
  test(
    'fills group and labels, skips empty cells; unknown, duplicate and missing rows are reported at their lines',
    withImages(
      {
        'clinical.csv': [
          'image_id,patient_id,diagnosis,site', // line 0
          'a,p1,melanoma,head', //                  line 1
          'zzz,p9,nevus,leg', //                    line 2: unknown id
          'b,p1,,leg', //                           line 3: empty diagnosis
          'a,p2,nevus,arm', //                      line 4: duplicate of line 1
          '',
        ].join('\n'),
      },
      async (dir) => {
        const config = makeConfig(dir, dataset(dir));
        const ds = await resolveDataset(config);
        const csv = join(dir, 'clinical.csv');
        assert.deepEqual(
          ds.cases.map((c) => [c.id, c.group, c.labels]),
          [
            ['a', 'p1', { diagnosis: 'melanoma', site: 'head' }],
            ['b', 'p1', { site: 'leg' }],
            ['c', undefined, {}],
          ],
        );
        assert.deepEqual(ds.labelColumns, ['diagnosis', 'site']);
        assert.deepEqual(
          ds.findings.map((f) => [f.severity, f.code, f.location?.file, lineOf(f)]),
          [
            ['warning', 'dataset/csv-unknown-id', csv, 2],
            ['error', 'dataset/csv-duplicate-id', csv, 4],
            ['warning', 'dataset/csv-missing-row', config.file, undefined],
          ],
        );
        const [unknown, duplicate, missing] = ds.findings;
        assert.deepEqual(unknown.location, { file: csv, range: { start: { line: 2, character: 0 }, end: { line: 2, character: 16 } } });
        assert.match(unknown.message, /`zzz`/);
        assert.deepEqual(duplicate.related, [{ message: 'first row of `a`', location: { file: csv, range: { start: { line: 1, character: 0 }, end: { line: 1, character: 18 } } } }]);
        assert.deepEqual(missing.configPath, ['dataset', 'labels']);
        assert.match(missing.message, /^1 image has no row in `clinical\.csv`.*`c`/);
      },
    ),
  );

  test(
    'columns missing from the header are errors on their config node that quote the header line',
    withImages({ 'clinical.csv': 'isic_id,patient,diagnosis\na,p1,mel\n' }, async (dir) => {
      const config = makeConfig(dir, dataset(dir, { idColumn: 'image_id', labelColumns: ['diagnosis', 'age'] }));
      const ds = await resolveDataset(config);
      assert.deepEqual(
        ds.findings.map((f) => [f.severity, f.code, f.configPath]),
        [
          ['error', 'dataset/csv-missing-column', ['dataset', 'id_column']],
          ['error', 'dataset/csv-missing-column', ['dataset', 'group_column']],
          ['error', 'dataset/csv-missing-column', ['dataset', 'label_columns', 1]],
        ],
      );
      for (const f of ds.findings) {
        assert.deepEqual(f.location, { file: config.file });
        assert.ok(f.message.includes('line 1: `isic_id`, `patient`, `diagnosis`'), f.message);
        assert.equal(f.related?.[0].location.range?.start.line, 0);
      }
      assert.match(ds.findings[0].message, /`image_id` is not a column/);
      assert.deepEqual(ds.labelColumns, ['diagnosis']);
      assert.ok(ds.cases.every((c) => c.group === undefined && Object.keys(c.labels).length === 0));
    }),
  );

  test(
    'a missing CSV is an error on dataset.labels',
    withImages({}, async (dir) => {
      const ds = await resolveDataset(makeConfig(dir, dataset(dir)));
      assert.deepEqual(ds.findings.map((f) => [f.severity, f.code, f.configPath]), [['error', 'dataset/labels-missing', ['dataset', 'labels']]]);
    }),
  );

  test(
    'more than 20 unknown ids make one finding at the first of their lines',
    withImages(
      {
        'clinical.csv': ['image_id,patient_id,diagnosis,site', 'a,p1,m,h', 'b,p1,m,h', 'c,p2,m,h', ...Array.from({ length: 21 }, (_, i) => `x${i},p,m,h`)].join('\n'),
      },
      async (dir) => {
        const ds = await resolveDataset(makeConfig(dir, dataset(dir)));
        assert.deepEqual(ds.findings.map((f) => [f.code, lineOf(f)]), [['dataset/csv-unknown-id', 4]]);
        assert.match(ds.findings[0].message, /^21 rows .* `x0`.*\(and 11 more\)/);
      },
    ),
  );
});

describe('clinical CSV with axial slices', () => {
  test('a volume row applies to its slices, a slice row wins for its slice', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      writeFiles(dir, {
        'vol/v1.nii.gz': '',
        'vol/v2.nii.gz': '',
        'clinical.csv': 'image_id,patient_id,diagnosis\nv1#1,p1,nevus\nv1,p1,melanoma\nv2#0,p2,nevus\n',
      });
      const depth: Record<string, number> = { v1: 3, v2: 2 };
      const config = makeConfig(dir, {
        images: 'vol/*.nii.gz',
        masks: '{dir}/{stem}.nii.gz',
        volumes: 'axial',
        labels: join(dir, 'clinical.csv'),
        groupColumn: 'patient_id',
        labelColumns: ['diagnosis'],
      });
      const ds = await resolveDataset(config, { countSlices: async (f) => depth[f.endsWith('v1.nii.gz') ? 'v1' : 'v2'] });
      assert.deepEqual(
        ds.cases.map((c) => [c.id, c.group, c.labels.diagnosis]),
        [
          ['v1#0', 'p1', 'melanoma'],
          ['v1#1', 'p1', 'nevus'],
          ['v1#2', 'p1', 'melanoma'],
          ['v2#0', 'p2', 'nevus'],
          ['v2#1', undefined, undefined],
        ],
      );
      assert.deepEqual(ds.findings.map((f) => f.code), ['dataset/csv-missing-row']);
      assert.match(ds.findings[0].message, /`v2`/);
    } finally {
      cleanup();
    }
  });
});

describe('clinical CSV: encodings and ragged rows', () => {
  test('a Latin-1 CSV gives its labels as written and a warning at the first non-UTF-8 byte; ragged rows are errors and not read', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      writeFiles(dir, ['img/a.png', 'img/b.png', 'img/c.png', 'msk/a.png', 'msk/b.png', 'msk/c.png']);
      const text = [
        'image_id,patient_id,diagnosis,site', // line 0
        'a,p1,N\xe4vus,Kopf', //                 line 1: ä in Latin-1
        'b,p2,Melanom', //                       line 2: a cell missing
        'c,p3,Melanom,Bein,extra', //            line 3: a cell too many
        '',
      ].join('\n');
      writeFiles(dir, { 'clinical.csv': Buffer.from(text, 'latin1') });
      const ds = await resolveDataset(makeConfig(dir, dataset(dir)));
      const csv = join(dir, 'clinical.csv');
      assert.deepEqual(
        ds.cases.map((c) => [c.id, c.group, c.labels]),
        [
          ['a', 'p1', { diagnosis: 'Nävus', site: 'Kopf' }],
          ['b', undefined, {}],
          ['c', undefined, {}],
        ],
      );
      assert.deepEqual(
        ds.findings.map((f) => [f.severity, f.code, f.location?.file, lineOf(f)]),
        [
          ['warning', 'dataset/csv-not-utf8', csv, 1],
          ['error', 'dataset/csv-ragged-row', csv, 2],
          ['error', 'dataset/csv-ragged-row', csv, 3],
          ['warning', 'dataset/csv-missing-row', makeConfig(dir, dataset(dir)).file, undefined],
        ],
      );
      const [encoding, missingCell, extraCell] = ds.findings;
      // `a,p1,N` is 6 bytes: the ä is column 7 (one-based).
      assert.deepEqual(encoding.location?.range, { start: { line: 1, character: 6 }, end: { line: 1, character: 7 } });
      assert.match(encoding.message, /^`clinical\.csv` is not UTF-8: the byte 0xE4 on line 2, column 7 is not valid UTF-8, so the file is read as Windows-1252 \(Latin-1\), which makes it `ä`/);
      assert.match(missingCell.message, /^Line 3 of `clinical\.csv` has 3 cells where the header has 4: .* this row is ignored/);
      assert.match(extraCell.message, /^Line 4 of `clinical\.csv` has 5 cells where the header has 4/);
    } finally {
      cleanup();
    }
  });
});
