// Image ids → file names of a results folder (issue 13, item 5): ids that differ only in characters
// a file system refuses once shared one file (`a<1`, `a>1`, `a_1` → `a_1.png`).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fileNamesCsvChunks, idToRelativePath, relativePathToId } from '../../../server/src/core/results/fileNames';
import { PerImageTable } from '../../../server/src/core/results/perImageTable';
import { segmentProblem } from '../../../server/src/core/util/pathSegment';

describe('idToRelativePath', () => {
  test('ordinary ids are their own file names (results of such datasets stay byte-identical)', () => {
    for (const id of ['case_000', 'ISIC_0000000', 'case_00000/imaging', 'colin#12', 'a b', 'Ünïcødé-1.2']) assert.equal(idToRelativePath(id), id);
  });

  test('ids that differ only in <>:"|?* get different names: the characters are %-escaped (hex by hand: < 3C, > 3E, : 3A)', () => {
    assert.deepEqual(['a<1', 'a>1', 'a_1', '12:30', 'a|b?c*"d'].map(idToRelativePath), ['a%3C1', 'a%3E1', 'a_1', '12%3A30', 'a%7Cb%3Fc%2A%22d']);
  });

  test('the escape character itself is escaped, so an id that looks escaped stays apart from the id it looks like', () => {
    assert.equal(idToRelativePath('a%3C1'), 'a%253C1');
    assert.notEqual(idToRelativePath('a%3C1'), idToRelativePath('a<1'));
  });

  test('parts that would leave or alias a folder, trailing dots and spaces, device names and empty parts are escaped', () => {
    assert.equal(idToRelativePath('..'), '%2E%2E');
    assert.equal(idToRelativePath('.'), '%2E');
    assert.equal(idToRelativePath('a/../b'), 'a/%2E%2E/b');
    assert.equal(idToRelativePath('a.'), 'a%2E');
    assert.equal(idToRelativePath('a /b'), 'a%20/b');
    assert.equal(idToRelativePath('CON'), '%43ON');
    assert.equal(idToRelativePath('x/nul.scan'), 'x/%6Eul.scan');
    assert.equal(idToRelativePath('a//b'), 'a%2F%2Fb');
    assert.equal(idToRelativePath('/a'), '%2Fa');
    assert.equal(idToRelativePath('back\\slash'), 'back%5Cslash');
  });

  test('over every id of up to 3 characters from a hostile alphabet: reversible, collision-free, and every part a safe name', () => {
    const alphabet = ['a', '<', '_', '%', '.', '/', ':', ' ', '3', 'C'];
    const ids: string[] = [];
    const grow = (prefix: string, left: number) => {
      if (prefix) ids.push(prefix);
      if (left > 0) for (const ch of alphabet) grow(prefix + ch, left - 1);
    };
    grow('', 3);
    assert.equal(ids.length, 10 + 100 + 1000);
    const seen = new Map<string, string>();
    for (const id of ids) {
      const rel = idToRelativePath(id);
      assert.equal(relativePathToId(rel), id, `${JSON.stringify(id)} → ${rel}`);
      assert.equal(seen.get(rel), undefined, `${JSON.stringify(id)} and ${JSON.stringify(seen.get(rel))} share ${rel}`);
      seen.set(rel, id);
      for (const part of rel.split('/')) assert.equal(segmentProblem(part + '.png'), undefined, `${JSON.stringify(id)} → ${rel}: part ${part}`);
    }
  });
});

test('file_names.csv: id and file per image with results, sorted by id, quoted as per_image.csv quotes', () => {
  const table = new PerImageTable(['m'], ['b', 'a<1', '12:30', 'no-rows', 'x,y']);
  const row = { split: 'test', metrics: { dice: 1 }, refPixels: 1, predPixels: 1, tp: 1, fp: 0, fn: 0, tn: 0 };
  for (const id of ['b', 'a<1', '12:30', 'x,y']) table.set(table.findImage(id)!, 'm', row);
  assert.equal([...fileNamesCsvChunks(table)].join(''), 'image_id,file\n12:30,12%3A30\na<1,a%3C1\nb,b\n"x,y","x,y"\n');
});
