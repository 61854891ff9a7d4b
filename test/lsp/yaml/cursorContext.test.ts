import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { schemaAt } from '../../../server/src/core/config';
import { cursorContext, nodeAt } from '../../../server/src/lsp/yaml';

const isMapping = (path: (string | number)[]) => {
  const s = schemaAt(path);
  return s !== undefined && (s.type === 'object' || s.properties !== undefined);
};

const TEXT = `name: x
dataset:
  images: data/*.png
  label_columns: [diagnosis, si]
  volu
models:
  - name: a
    path: "m.onnx"
    input:
      size: [256, 256]
      la
  - na
models2:
- name: b
evaluation:
  fuse_models:
    - a
    - 
  compare: { alpha: 0.05, corr }
`;

const at = (line: number, character: number) => cursorContext(TEXT, { line, character }, isMapping);

describe('cursorContext', () => {
  test('a value being typed: its path, prefix and the whole value as range', () => {
    assert.deepEqual(at(2, 12), {
      kind: 'value',
      path: ['dataset', 'images'],
      prefix: 'da',
      range: { start: { line: 2, character: 10 }, end: { line: 2, character: 20 } },
      inList: false,
      listed: [],
    });
  });

  test('a quoted value: the range starts after the quote', () => {
    const ctx = at(7, 14);
    assert.equal(ctx?.kind, 'value');
    assert.deepEqual(ctx?.path, ['models', 0, 'path']);
    assert.equal(ctx?.prefix, 'm.o');
    assert.deepEqual(ctx?.range.start, { line: 7, character: 11 });
  });

  test('an item of a flow list: index from the commas, the other items listed', () => {
    assert.deepEqual(at(3, 31), {
      kind: 'value',
      path: ['dataset', 'label_columns', 1],
      prefix: 'si',
      range: { start: { line: 3, character: 29 }, end: { line: 3, character: 31 } },
      inList: true,
      listed: ['diagnosis'],
    });
  });

  test('a key being typed: the mapping it goes into and the keys already there', () => {
    const ctx = at(4, 6);
    assert.equal(ctx?.kind, 'key');
    assert.deepEqual(ctx?.path, ['dataset']);
    assert.equal(ctx?.kind === 'key' && ctx.prefix, 'volu');
    assert.deepEqual(ctx?.kind === 'key' && ctx.siblings.sort(), ['images', 'label_columns']);
  });

  test('nested mappings inside list items', () => {
    const ctx = at(10, 8);
    assert.equal(ctx?.kind, 'key');
    assert.deepEqual(ctx?.path, ['models', 0, 'input']);
    assert.deepEqual(ctx?.kind === 'key' && ctx.siblings, ['size']);
  });

  test('`- na` in a list of mappings is a key of the second item; in a list of strings it is a value', () => {
    const key = at(11, 6);
    assert.equal(key?.kind, 'key');
    assert.deepEqual(key?.path, ['models', 1]);
    const value = at(17, 6);
    assert.equal(value?.kind, 'value');
    assert.deepEqual(value?.path, ['evaluation', 'fuse_models', 1]);
    assert.deepEqual(value?.kind === 'value' && value.listed, ['a']);
  });

  test('a list at the same indentation as its key (`models:\\n- name: b`)', () => {
    const node = nodeAt(TEXT, { line: 13, character: 3 });
    assert.deepEqual(node, { path: ['models2', 0, 'name'], part: 'key', range: { start: { line: 13, character: 2 }, end: { line: 13, character: 6 } } });
  });

  test('a key in a flow mapping', () => {
    const ctx = at(18, 30);
    assert.equal(ctx?.kind, 'key');
    assert.deepEqual(ctx?.path, ['evaluation', 'compare']);
    assert.equal(ctx?.kind === 'key' && ctx.prefix, 'corr');
  });

  test('in a comment: nothing', () => {
    assert.equal(cursorContext('dataset: # the data\n', { line: 0, character: 15 }, isMapping), undefined);
    assert.equal(cursorContext('# dataset\n', { line: 0, character: 5 }, isMapping), undefined);
  });

  test('nodeAt: key vs value, and the item of a flow list', () => {
    assert.deepEqual(nodeAt(TEXT, { line: 9, character: 8 })?.path, ['models', 0, 'input', 'size']);
    assert.equal(nodeAt(TEXT, { line: 9, character: 8 })?.part, 'key');
    assert.deepEqual(nodeAt(TEXT, { line: 3, character: 30 }), {
      path: ['dataset', 'label_columns', 1],
      part: 'value',
      range: { start: { line: 3, character: 17 }, end: { line: 3, character: 32 } },
    });
    assert.equal(nodeAt(TEXT, { line: 40, character: 0 }), undefined);
  });

  test('never throws, whatever the text and position', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', ' ', '-', ':', '\n', '[', ']', '{', '}', ',', '#', '"', "'", 'k', '\t', '\r') }), fc.nat(20), fc.nat(40), (text, line, character) => {
        cursorContext(text, { line, character }, isMapping);
        nodeAt(text, { line, character });
      }),
      { numRuns: 500, seed: 7 },
    );
  });
});
