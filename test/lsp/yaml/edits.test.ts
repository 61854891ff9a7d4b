import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigDocument } from '../../../server/src/core/config';
import { removeKeyEdit, replacePairEdit, setKeyEdits, type TextEdit } from '../../../server/src/lsp/yaml';

function apply(text: string, edits: TextEdit[]): string {
  const lines = text.split('\n');
  const offset = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((a, l) => a + l.length + 1, 0) + p.character;
  return [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start)).reduce((out, e) => out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end)), text);
}

const doc = (text: string) => new ConfigDocument('/x/exp.medseg.yaml', text);

describe('setKeyEdits', () => {
  test('replaces an existing value, keeping the comment after it', () => {
    const text = 'splits:\n  file: old.csv # keep\n  alpha: 0.05\n';
    assert.equal(apply(text, setKeyEdits(doc(text), ['splits'], 'file', 'new.csv')), 'splits:\n  file: new.csv # keep\n  alpha: 0.05\n');
  });

  test('inserts after the named key, at the mapping indentation', () => {
    const text = 'dataset:\n    images: a/*.png\n    labels: c.csv\n    foreground: 255\nmodels: []\n';
    assert.equal(
      apply(text, setKeyEdits(doc(text), ['dataset'], 'group_column', 'patient_id', ['labels'])),
      'dataset:\n    images: a/*.png\n    labels: c.csv\n    group_column: patient_id\n    foreground: 255\nmodels: []\n',
    );
  });

  test('inserts after a nested block value, not inside it', () => {
    const text = 'splits:\n  generate:\n    seed: 1\nmodels: []\n';
    assert.equal(apply(text, setKeyEdits(doc(text), ['splits'], 'alpha', '0.01')), 'splits:\n  generate:\n    seed: 1\n  alpha: 0.01\nmodels: []\n');
  });

  test('creates a missing parent mapping at the end of the document', () => {
    const text = 'dataset:\n  images: a/*.png\nmodels: []';
    assert.equal(apply(text, setKeyEdits(doc(text), ['splits'], 'file', 'splits.csv')), 'dataset:\n  images: a/*.png\nmodels: []\nsplits:\n  file: splits.csv');
  });

  test('flow mappings get `, key: value`', () => {
    const text = 'splits: { alpha: 0.05 }\n';
    assert.equal(apply(text, setKeyEdits(doc(text), ['splits'], 'file', 's.csv')), 'splits: { alpha: 0.05, file: s.csv }\n');
  });

  test('a key with an empty value gets one', () => {
    const text = 'splits:\n  file:\nmodels: []\n';
    assert.equal(apply(text, setKeyEdits(doc(text), ['splits'], 'file', 's.csv')), 'splits:\n  file: s.csv\nmodels: []\n');
  });
});

describe('removeKeyEdit and replacePairEdit', () => {
  test('removes a pair with all its lines', () => {
    const text = 'splits:\n  generate:\n    seed: 1\n  alpha: 0.05\n';
    assert.equal(apply(text, [removeKeyEdit(doc(text), ['splits'], 'generate')!]), 'splits:\n  alpha: 0.05\n');
  });

  test('replaces a block pair by one line', () => {
    const text = 'splits:\n  generate:\n    seed: 1\n  alpha: 0.05\n';
    assert.equal(apply(text, [replacePairEdit(doc(text), ['splits'], 'generate', 'file: s.csv')!]), 'splits:\n  file: s.csv\n  alpha: 0.05\n');
  });

  test('absent keys give no edit', () => {
    const text = 'splits:\n  alpha: 0.05\n';
    assert.equal(removeKeyEdit(doc(text), ['splits'], 'generate'), undefined);
    assert.equal(replacePairEdit(doc(text), ['splits'], 'generate', 'x'), undefined);
  });
});
