import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { resolveDataset } from '../../../server/src/core/dataset';
import type { Finding } from '../../../server/src/core/findings';
import { makeConfig, makeTempDir, niftiBytes, predictionsModel, writeFiles } from './datasetFixtures';

const codes = (findings: readonly Finding[]) => findings.map((f) => `${f.severity} ${f.code}`);

describe('resolveDataset: ISIC 2018 task 1', () => {
  const images = 'ISIC2018_Task1-2_Training_Input';
  const masks = 'ISIC2018_Task1_Training_GroundTruth';

  test('template masks: {stem}_segmentation.png; a non-image in the folder is skipped', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      writeFiles(dir, [
        `${images}/ISIC_0000000.jpg`,
        `${images}/ISIC_0000001.jpg`,
        `${images}/ISIC_0000002.jpg`,
        `${images}/ATTRIBUTION.txt`,
        `${masks}/ISIC_0000000_segmentation.png`,
        `${masks}/ISIC_0000001_segmentation.png`,
      ]);
      const config = makeConfig(dir, { images: `${images}/*`, masks: `${masks}/{stem}_segmentation.png` });
      const ds = await resolveDataset(config);
      assert.deepEqual(
        ds.cases.map((c) => [c.id, c.image, c.mask]),
        [
          ['ISIC_0000000', join(dir, images, 'ISIC_0000000.jpg'), join(dir, masks, 'ISIC_0000000_segmentation.png')],
          ['ISIC_0000001', join(dir, images, 'ISIC_0000001.jpg'), join(dir, masks, 'ISIC_0000001_segmentation.png')],
          ['ISIC_0000002', join(dir, images, 'ISIC_0000002.jpg'), undefined],
        ],
      );
      assert.equal(ds.splitSource, 'none');
      assert.deepEqual(ds.labelColumns, []);
      assert.equal(ds.findings.length, 1);
      const [f] = ds.findings;
      assert.equal(f.code, 'dataset/missing-mask');
      assert.equal(f.severity, 'error');
      assert.deepEqual(f.configPath, ['dataset', 'masks']);
      assert.deepEqual(f.location, { file: config.file });
      assert.match(f.message, /ISIC_0000002/);
      assert.match(f.message, /ISIC2018_Task1_Training_GroundTruth\/ISIC_0000002_segmentation\.png/);
    } finally {
      cleanup();
    }
  });

  test('glob masks pair by stem prefix followed by _ - or .; orphans are warned about', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      writeFiles(dir, [
        `${images}/ISIC_0000001.jpg`,
        `${images}/ISIC_00000010.jpg`,
        `${images}/ISIC_0000002.jpg`,
        `${images}/ISIC_0000003.jpg`,
        `${masks}/ISIC_0000001_segmentation.png`,
        `${masks}/ISIC_00000010_segmentation.png`,
        `${masks}/ISIC_0000002.png`,
        `${masks}/ISIC_0000003-mask.png`,
        `${masks}/ISIC_0009999_segmentation.png`,
      ]);
      const config = makeConfig(dir, { images: `${images}/*.jpg`, masks: `${masks}/*.png` });
      const ds = await resolveDataset(config);
      assert.deepEqual(
        ds.cases.map((c) => [c.id, c.mask && c.mask.slice(join(dir, masks).length + 1)]),
        [
          ['ISIC_0000001', 'ISIC_0000001_segmentation.png'],
          ['ISIC_00000010', 'ISIC_00000010_segmentation.png'],
          ['ISIC_0000002', 'ISIC_0000002.png'],
          ['ISIC_0000003', 'ISIC_0000003-mask.png'],
        ],
      );
      assert.deepEqual(codes(ds.findings), ['warning dataset/orphan-mask']);
      assert.match(ds.findings[0].message, /ISIC_0009999_segmentation\.png/);
      assert.deepEqual(ds.findings[0].configPath, ['dataset', 'masks']);
    } finally {
      cleanup();
    }
  });

  test('more than 20 missing masks make one finding naming 10 ids and the count', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      const ids = Array.from({ length: 25 }, (_, i) => `ISIC_${String(i).padStart(7, '0')}`);
      writeFiles(dir, ids.map((id) => `${images}/${id}.jpg`));
      const ds = await resolveDataset(makeConfig(dir, { images: `${images}/*.jpg`, masks: `${masks}/{stem}_segmentation.png` }));
      assert.deepEqual(codes(ds.findings), ['error dataset/missing-mask']);
      const message = ds.findings[0].message;
      assert.match(message, /^25 of 25 images have no mask/);
      for (const id of ids.slice(0, 10)) assert.ok(message.includes(`\`${id}\``), id);
      assert.ok(!message.includes(`\`${ids[10]}\``));
      assert.match(message, /and 15 more/);
    } finally {
      cleanup();
    }
  });

  test('masks matched by the image glob are not images', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      writeFiles(dir, ['data/a.png', 'data/a_mask.png', 'data/b.png', 'data/b_mask.png']);
      for (const masksPattern of ['data/{stem}_mask.png', 'data/*_mask.png']) {
        const ds = await resolveDataset(makeConfig(dir, { images: 'data/*.png', masks: masksPattern }));
        assert.deepEqual(ds.cases.map((c) => [c.id, c.mask]), [
          ['a', join(dir, 'data/a_mask.png')],
          ['b', join(dir, 'data/b_mask.png')],
        ], masksPattern);
        assert.deepEqual(ds.findings, []);
      }
    } finally {
      cleanup();
    }
  });
});

describe('resolveDataset: KiTS19', () => {
  test('ids are paths relative to the glob prefix when stems repeat; {dir} masks', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      writeFiles(dir, [
        'kits19/data/case_00000/imaging.nii.gz',
        'kits19/data/case_00000/segmentation.nii.gz',
        'kits19/data/case_00001/imaging.nii.gz',
        'kits19/data/case_00001/segmentation.nii.gz',
        'kits19/data/case_00002/imaging.nii.gz',
      ]);
      const ds = await resolveDataset(makeConfig(dir, { images: 'kits19/data/case_*/imaging.nii.gz', masks: '{dir}/segmentation.nii.gz', foreground: { kind: 'values', values: [1, 2] } }));
      assert.deepEqual(
        ds.cases.map((c) => [c.id, c.mask]),
        [
          ['case_00000/imaging', join(dir, 'kits19/data/case_00000/segmentation.nii.gz')],
          ['case_00001/imaging', join(dir, 'kits19/data/case_00001/segmentation.nii.gz')],
          ['case_00002/imaging', undefined],
        ],
      );
      assert.deepEqual(codes(ds.findings), ['error dataset/missing-mask']);
      assert.match(ds.findings[0].message, /case_00002\/imaging/);
    } finally {
      cleanup();
    }
  });

  test('a glob of masks pairs one image and one mask per folder', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      writeFiles(dir, ['k/case_0/imaging.nii.gz', 'k/case_0/segmentation.nii.gz', 'k/case_1/imaging.nii.gz', 'k/case_1/segmentation.nii.gz']);
      const ds = await resolveDataset(makeConfig(dir, { images: 'k/*/imaging.nii.gz', masks: 'k/*/segmentation.nii.gz' }));
      assert.deepEqual(ds.cases.map((c) => [c.id, c.mask]), [
        ['case_0/imaging', join(dir, 'k/case_0/segmentation.nii.gz')],
        ['case_1/imaging', join(dir, 'k/case_1/segmentation.nii.gz')],
      ]);
      assert.deepEqual(ds.findings, []);
    } finally {
      cleanup();
    }
  });

  test('axial: one case per slice from the NIfTI header, ids <id>#<z> in slice order', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      writeFiles(dir, {
        'kits19/data/case_00000/imaging.nii.gz': niftiBytes([4, 3, 12]),
        'kits19/data/case_00000/segmentation.nii.gz': niftiBytes([4, 3, 12]),
        'kits19/data/case_00001/imaging.nii': niftiBytes([2, 2, 2], false),
        'kits19/data/case_00001/segmentation.nii.gz': niftiBytes([2, 2, 2]),
        'kits19/data/case_00002/imaging.nii.gz': 'not a NIfTI file',
        'kits19/data/case_00002/segmentation.nii.gz': '',
      });
      const config = makeConfig(dir, { images: 'kits19/data/case_*/imaging.nii*', masks: '{dir}/segmentation.nii.gz', volumes: 'axial' });
      const ds = await resolveDataset(config);
      const expectedIds = [
        ...Array.from({ length: 12 }, (_, z) => `case_00000/imaging#${z}`),
        'case_00001/imaging#0',
        'case_00001/imaging#1',
      ];
      assert.deepEqual(ds.cases.map((c) => c.id), expectedIds);
      assert.deepEqual(ds.cases.map((c) => c.slice), [...Array.from({ length: 12 }, (_, z) => z), 0, 1]);
      assert.equal(ds.cases[13].volume, 'case_00001/imaging');
      assert.equal(ds.cases[13].image, join(dir, 'kits19/data/case_00001/imaging.nii'));
      assert.equal(ds.cases[13].mask, join(dir, 'kits19/data/case_00001/segmentation.nii.gz'));
      assert.equal(ds.findings.length, 1);
      assert.equal(ds.findings[0].severity, 'error');
      assert.match(ds.findings[0].code, /^io\//);
      assert.deepEqual(ds.findings[0].location, { file: join(dir, 'kits19/data/case_00002/imaging.nii.gz') });
    } finally {
      cleanup();
    }
  });

  test('volumes: 3d keeps one case per file', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      writeFiles(dir, { 'v/a.nii.gz': niftiBytes([2, 2, 5]), 'm/a.nii.gz': '' });
      const ds = await resolveDataset(makeConfig(dir, { images: 'v/*.nii.gz', masks: 'm/{name}', volumes: '3d' }));
      assert.deepEqual(ds.cases.map((c) => [c.id, c.slice, c.mask]), [['a', undefined, join(dir, 'm/a.nii.gz')]]);
    } finally {
      cleanup();
    }
  });
});

describe('resolveDataset: Decathlon and nnU-Net raw folders', () => {
  test('MSD dataset.json: training pairs, labelled test cases only, missing labels', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      const task = join(dir, 'Task05_Prostate');
      writeFiles(task, {
        'dataset.json': JSON.stringify({
          name: 'PROSTATE',
          modality: { 0: 'T2', 1: 'ADC' },
          labels: { 0: 'background', 1: 'PZ', 2: 'TZ' },
          numTraining: 2,
          numTest: 2,
          training: [
            { image: './imagesTr/prostate_00.nii.gz', label: './labelsTr/prostate_00.nii.gz' },
            { image: './imagesTr/prostate_01.nii.gz', label: './labelsTr/prostate_01.nii.gz' },
          ],
          test: ['./imagesTs/prostate_03.nii.gz', './imagesTs/prostate_04.nii.gz'],
        }),
        'imagesTr/prostate_00.nii.gz': '',
        'labelsTr/prostate_00.nii.gz': '',
        'imagesTr/prostate_01.nii.gz': '',
        'imagesTs/prostate_03.nii.gz': '',
        'labelsTs/prostate_03.nii.gz': '',
        'imagesTs/prostate_04.nii.gz': '',
      });
      const config = makeConfig(dir, { msd: task });
      const ds = await resolveDataset(config);
      assert.deepEqual(ds.cases.map((c) => [c.id, c.image, c.mask]), [
        ['prostate_00', join(task, 'imagesTr/prostate_00.nii.gz'), join(task, 'labelsTr/prostate_00.nii.gz')],
        ['prostate_01', join(task, 'imagesTr/prostate_01.nii.gz'), undefined],
        ['prostate_03', join(task, 'imagesTs/prostate_03.nii.gz'), join(task, 'labelsTs/prostate_03.nii.gz')],
      ]);
      assert.deepEqual(codes(ds.findings), ['error dataset/missing-mask']);
      assert.deepEqual(ds.findings[0].configPath, ['dataset', 'msd']);
      assert.match(ds.findings[0].message, /labelsTr\/prostate_01\.nii\.gz/);
    } finally {
      cleanup();
    }
  });

  test('MSD lists converted by nnU-Net v1 find the _0000 channel file', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      writeFiles(dir, {
        'Task02_Heart/dataset.json': JSON.stringify({ training: [{ image: './imagesTr/la_003.nii.gz', label: './labelsTr/la_003.nii.gz' }], numTraining: 1 }),
        'Task02_Heart/imagesTr/la_003_0000.nii.gz': '',
        'Task02_Heart/labelsTr/la_003.nii.gz': '',
      });
      const ds = await resolveDataset(makeConfig(dir, { msd: join(dir, 'Task02_Heart') }));
      assert.deepEqual(ds.cases.map((c) => [c.id, c.image]), [['la_003', join(dir, 'Task02_Heart/imagesTr/la_003_0000.nii.gz')]]);
      assert.deepEqual(ds.findings, []);
    } finally {
      cleanup();
    }
  });

  test('nnU-Net v2: cases from imagesTr/<case>_0000<file_ending>; predictions by case name', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      const raw = join(dir, 'nnUNet_raw/Dataset027_ACDC');
      writeFiles(raw, {
        'dataset.json': JSON.stringify({ channel_names: { 0: 'cineMRI' }, labels: { background: 0, RV: 1, MLV: 2, LVC: 3 }, numTraining: 3, file_ending: '.nii.gz' }),
        'imagesTr/patient001_frame01_0000.nii.gz': '',
        'imagesTr/patient001_frame01_0001.nii.gz': '',
        'labelsTr/patient001_frame01.nii.gz': '',
        'imagesTr/patient002_frame01_0000.nii.gz': '',
        'labelsTr/patient002_frame01.nii.gz': '',
        'imagesTs/patient101_frame01_0000.nii.gz': '',
        'labelsTs/patient101_frame01.nii.gz': '',
        'imagesTs/patient102_frame01_0000.nii.gz': '',
      });
      writeFiles(dir, ['preds/nnunet/patient001_frame01.nii.gz', 'preds/nnunet/patient002_frame01.nii.gz', 'preds/nnunet/patient101_frame01.nii.gz']);
      const config = makeConfig(dir, { msd: raw }, { models: [predictionsModel('nnunet-fold0', 'preds/nnunet/{name}', 0)] });
      const ds = await resolveDataset(config);
      assert.deepEqual(ds.cases.map((c) => [c.id, c.image, c.mask, c.predictions['nnunet-fold0']]), [
        ['patient001_frame01', join(raw, 'imagesTr/patient001_frame01_0000.nii.gz'), join(raw, 'labelsTr/patient001_frame01.nii.gz'), join(dir, 'preds/nnunet/patient001_frame01.nii.gz')],
        ['patient002_frame01', join(raw, 'imagesTr/patient002_frame01_0000.nii.gz'), join(raw, 'labelsTr/patient002_frame01.nii.gz'), join(dir, 'preds/nnunet/patient002_frame01.nii.gz')],
        ['patient101_frame01', join(raw, 'imagesTs/patient101_frame01_0000.nii.gz'), join(raw, 'labelsTs/patient101_frame01.nii.gz'), join(dir, 'preds/nnunet/patient101_frame01.nii.gz')],
      ]);
      assert.deepEqual(codes(ds.findings), ['warning dataset/msd-count-mismatch']);
      assert.match(ds.findings[0].message, /numTraining: 3.*2 training cases/);
    } finally {
      cleanup();
    }
  });

  test('a missing or unparsable dataset.json is an error on dataset.msd naming the file', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      writeFiles(dir, { 'bad/dataset.json': '{ "training": [ ' });
      const missing = await resolveDataset(makeConfig(dir, { msd: join(dir, 'nowhere') }));
      assert.deepEqual(codes(missing.findings), ['error dataset/msd-missing-json']);
      assert.deepEqual(missing.findings[0].configPath, ['dataset', 'msd']);
      assert.ok(missing.findings[0].message.includes(join(dir, 'nowhere', 'dataset.json')));
      const bad = await resolveDataset(makeConfig(dir, { msd: join(dir, 'bad') }));
      assert.deepEqual(codes(bad.findings), ['error dataset/msd-invalid-json']);
      assert.deepEqual(bad.findings[0].configPath, ['dataset', 'msd']);
      assert.deepEqual(bad.findings[0].location, { file: join(dir, 'exp.medseg.yaml') });
      assert.ok(bad.findings[0].message.includes(join(dir, 'bad', 'dataset.json')));
      assert.deepEqual(bad.cases, []);
    } finally {
      cleanup();
    }
  });
});

describe('resolveDataset: predictions, errors, cancellation', () => {
  test('predictions fill per model; missing ones make one error per model', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      writeFiles(dir, ['img/a.png', 'img/b.png', 'msk/a.png', 'msk/b.png', 'preds/unet/a.png', 'preds/unet/b.png', 'preds/fpn/b_prob.png']);
      const config = makeConfig(dir, { images: 'img/*.png', masks: 'msk/{name}' }, {
        models: [predictionsModel('unet', 'preds/unet/{stem}.png', 0), predictionsModel('fpn', 'preds/fpn/{stem}_prob.png', 1)],
      });
      const ds = await resolveDataset(config);
      assert.deepEqual(ds.cases.map((c) => c.predictions), [
        { unet: join(dir, 'preds/unet/a.png') },
        { unet: join(dir, 'preds/unet/b.png'), fpn: join(dir, 'preds/fpn/b_prob.png') },
      ]);
      assert.deepEqual(codes(ds.findings), ['error dataset/missing-prediction']);
      assert.deepEqual(ds.findings[0].configPath, ['models', 1, 'predictions']);
      assert.match(ds.findings[0].message, /^Model `fpn`: 1 of 2 images have no prediction file: `a`/);
    } finally {
      cleanup();
    }
  });

  test('a glob with no match is an error on dataset.images naming the pattern and folder', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      writeFiles(dir, ['data/images/readme.txt']);
      const config = makeConfig(dir, { images: 'data/images/*.png', masks: 'm/{stem}.png' });
      const ds = await resolveDataset(config);
      assert.deepEqual(codes(ds.findings), ['error dataset/no-images']);
      assert.deepEqual(ds.findings[0].configPath, ['dataset', 'images']);
      assert.deepEqual(ds.findings[0].location, { file: config.file });
      assert.ok(ds.findings[0].message.includes('`data/images/*.png`'));
      assert.ok(ds.findings[0].message.includes(join(dir, 'data/images')));
      const txt = await resolveDataset(makeConfig(dir, { images: 'data/images/*', masks: 'm/{stem}.png' }));
      assert.match(txt.findings[0].message, /matches 1 file but no image/);
    } finally {
      cleanup();
    }
  });

  test('ids that stay equal after falling back to relative paths are an error', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      writeFiles(dir, ['data/a/x.png', 'data/a/x.jpg', 'data/b/x.png']);
      const ds = await resolveDataset(makeConfig(dir, { images: 'data/**/*', masks: '{dir}/{stem}.tif' }));
      assert.deepEqual(ds.cases.map((c) => [c.id, c.image]), [
        ['a/x', join(dir, 'data/a/x.jpg')],
        ['b/x', join(dir, 'data/b/x.png')],
      ]);
      const dup = ds.findings.filter((f) => f.code === 'dataset/duplicate-id');
      assert.equal(dup.length, 1);
      assert.equal(dup[0].severity, 'error');
      assert.deepEqual(dup[0].configPath, ['dataset', 'images']);
      assert.ok(dup[0].message.includes(join(dir, 'data/a/x.png')));
    } finally {
      cleanup();
    }
  });

  test('an aborted signal stops resolution with its reason', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      writeFiles(dir, ['img/a.png', 'msk/a.png']);
      const reason = new Error('cancelled by the user');
      await assert.rejects(resolveDataset(makeConfig(dir, { images: 'img/*.png', masks: 'msk/{name}' }), { signal: AbortSignal.abort(reason) }), (e) => e === reason);
      // Aborted while the first volume's header is read: the second volume is never read.
      writeFiles(dir, ['vol/a.nii.gz', 'vol/b.nii.gz']);
      const controller = new AbortController();
      const read: string[] = [];
      const pending = resolveDataset(makeConfig(dir, { images: 'vol/*.nii.gz', masks: '{dir}/{stem}.nii.gz', volumes: 'axial' }), {
        signal: controller.signal,
        countSlices: async (file) => {
          read.push(file);
          controller.abort(reason);
          return 1;
        },
      });
      await assert.rejects(pending, (e) => e === reason);
      assert.deepEqual(read, [join(dir, 'vol/a.nii.gz')]);
    } finally {
      cleanup();
    }
  });
});
