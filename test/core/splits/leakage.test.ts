import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { SplitName } from '../../../server/src/core/config/types';
import type { CaseScan } from '../../../server/src/core/scan';
import {
  duplicateImageFindings,
  duplicateLinks,
  groupLeakFindings,
  nearDuplicateFindings,
} from '../../../server/src/core/splits/leakage';
import { splitCasesOf } from '../../../server/src/core/splits/splitCases';
import { flipBits, hashOf, makeCase, makeScan } from './support';

const PATH = ['splits', 'file'] as const;

describe('groupLeakFindings', () => {
  test('a patient in train and test is found, naming the patient, its images per split, located at the test image', () => {
    const cases = [
      makeCase('a1', { group: 'P1', split: 'train' }),
      makeCase('a2', { group: 'P1', split: 'train' }),
      makeCase('a3', { group: 'P1', split: 'test' }),
      makeCase('b1', { group: 'P2', split: 'train' }),
      makeCase('b2', { group: 'P2', split: 'train' }),
      makeCase('c1', { group: 'P3', split: 'test' }),
    ];
    const findings = groupLeakFindings(splitCasesOf(cases), PATH);
    assert.equal(findings.length, 1);
    const [f] = findings;
    assert.equal(f.code, 'split/patient-leak');
    assert.equal(f.severity, 'error');
    assert.match(f.message, /^Patient `P1` has images in train and test: `a1`, `a2` \(train\); `a3` \(test\)\./);
    assert.deepEqual(f.location, { file: '/data/images/a3.png' });
    assert.deepEqual(f.related?.map((r) => r.location.file), ['/data/images/a1.png', '/data/images/a2.png']);
    assert.deepEqual(f.configPath, PATH);
  });

  test('slices of one volume in two splits; clean groups and unsplit cases give nothing', () => {
    const slices = [0, 1, 2].map((z) => makeCase(`v#${z}`, { volume: 'v', slice: z, image: '/data/v.nii.gz', split: (z === 2 ? 'val' : 'train') as SplitName }));
    const findings = groupLeakFindings(splitCasesOf([...slices, makeCase('x', { group: 'P9' }), makeCase('y', { group: 'P9', split: 'test' })]), PATH);
    assert.equal(findings.length, 1);
    assert.match(findings[0].message, /^Slices of volume `v` are in train and val: `v#0`, `v#1` \(train\); `v#2` \(val\)/);
    assert.deepEqual(groupLeakFindings(splitCasesOf(slices.map((c) => ({ ...c, split: 'train' as const }))), PATH), []);
  });

  test('many leaking patients make one aggregated finding', () => {
    const cases = Array.from({ length: 50 }, (_, i) => makeCase(`i${String(i).padStart(2, '0')}`, { group: `P${Math.floor(i / 2)}`, split: i % 2 ? 'test' : 'train' }));
    const findings = groupLeakFindings(splitCasesOf(cases), PATH);
    assert.equal(findings.length, 1);
    assert.match(findings[0].message, /^25 patients or volumes have images in more than one split/);
  });
});

describe('duplicateImageFindings', () => {
  test('identical pixels in train and test: one error naming both images and splits; same split or blank images: none', () => {
    const cases = [
      makeCase('orig', { split: 'train' }),
      makeCase('copy', { split: 'test' }),
      makeCase('twinA', { split: 'train' }),
      makeCase('twinB', { split: 'train' }),
      makeCase('blank1', { split: 'train' }),
      makeCase('blank2', { split: 'test' }),
    ];
    const scans: CaseScan[] = [
      makeScan('orig', { pixelHash: 'H1' }),
      makeScan('copy', { pixelHash: 'H1' }),
      makeScan('twinA', { pixelHash: 'H2' }),
      makeScan('twinB', { pixelHash: 'H2' }),
      makeScan('blank1', { pixelHash: 'H0', contrast: 0 }),
      makeScan('blank2', { pixelHash: 'H0', contrast: 0 }),
    ];
    const findings = duplicateImageFindings(splitCasesOf(cases, scans), PATH);
    assert.equal(findings.length, 1);
    const [f] = findings;
    assert.equal(f.code, 'split/duplicate-image');
    assert.equal(f.severity, 'error');
    assert.match(f.message, /^`copy` \(test\) has exactly the same pixels as `orig` \(train\)/);
    assert.deepEqual(f.location, { file: '/data/images/copy.png' });
    assert.deepEqual(f.related?.map((r) => r.location.file), ['/data/images/orig.png']);
  });
});

describe('nearDuplicateFindings', () => {
  test('hashes within duplicate_distance in different splits are found; farther, same split, same patient or exact copies are not', () => {
    const base = hashOf(1);
    const specs: [string, SplitName, string, string?, string?][] = [
      ['n1', 'train', base],
      ['n2', 'test', flipBits(base, [0, 9, 40])], // 3 bits from n1
      ['far', 'test', flipBits(base, [1, 2, 3, 4, 5])], // 5 bits from n1
      ['same', 'train', flipBits(base, [63])], // near n1 but same split; 4 bits from n2
      ['p1', 'train', hashOf(2), 'P'],
      ['p2', 'val', flipBits(hashOf(2), [7]), 'P'], // same patient: the leak check's business
      ['e1', 'train', hashOf(3), undefined, 'E'],
      ['e2', 'val', hashOf(3), undefined, 'E'], // exact copy: the duplicate check's business
    ];
    const cases = specs.map(([id, split, , group]) => makeCase(id, { split, group }));
    const scans = specs.map(([id, , phash, , pixelHash]) => makeScan(id, { phash, pixelHash }));
    const findings = nearDuplicateFindings(splitCasesOf(cases, scans), 4, ['splits', 'file']);
    assert.deepEqual(
      findings.map((f) => [f.location?.file, f.related?.[0].location.file]),
      [
        ['/data/images/n2.png', '/data/images/n1.png'],
        ['/data/images/n2.png', '/data/images/same.png'],
      ],
    );
    assert.equal(findings[0].severity, 'warning');
    assert.equal(findings[0].code, 'split/near-duplicate');
    assert.match(findings[0].message, /^`n2` \(test\) and `n1` \(train\) look almost the same: their perceptual hashes differ in 3 bits/);
    assert.match(findings[1].message, /differ in 4 bits/);
  });

  test('duplicateLinks joins exact and near copies transitively', () => {
    const base = hashOf(5);
    const cases = ['a', 'b', 'c', 'd', 'e'].map((id) => makeCase(id));
    const scans = [
      makeScan('a', { phash: base }),
      makeScan('b', { phash: flipBits(base, [1, 2]) }),
      makeScan('c', { phash: flipBits(base, [1, 2, 3, 4, 5]) }), // 3 from b, 5 from a
      makeScan('d', { phash: hashOf(6), pixelHash: 'X' }),
      makeScan('e', { phash: hashOf(6), pixelHash: 'X' }),
    ];
    const links = duplicateLinks(splitCasesOf(cases.map((c) => ({ ...c, split: 'train' as const })), scans), 4);
    assert.deepEqual(links.map((s) => [...s].sort()).sort(), [['a', 'b', 'c'], ['d', 'e']]);
  });
});
