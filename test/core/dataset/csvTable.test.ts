import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsvTable, rowLocation } from '../../../server/src/core/dataset/csvTable';
import { InputError } from '../../../server/src/core/findings';

test('rows carry their zero-based lines through blank lines, quoted line breaks, CRLF and a BOM', () => {
  const text = '\ufeffimage_id, diagnosis\n\na,"multi\nline"\r\n b , x\r\nc,y,extra\nd';
  const table = parseCsvTable('/x/labels.csv', Buffer.from(text, 'utf8'));
  assert.deepEqual(table.header, ['image_id', 'diagnosis']);
  assert.equal(table.headerLine, 0);
  assert.deepEqual(
    table.rows.map((r) => [r.cells, r.line, r.endLine]),
    [
      [['a', 'multi\nline'], 2, 3],
      [['b', 'x'], 4, 4],
      [['c', 'y', 'extra'], 5, 5],
      [['d'], 6, 6],
    ],
  );
  // Line 3 is `line"` (5 characters, its \r excluded); line 0 excludes the BOM.
  assert.deepEqual(rowLocation(table, table.rows[0]), { file: '/x/labels.csv', range: { start: { line: 2, character: 0 }, end: { line: 3, character: 5 } } });
  // `image_id, diagnosis` is 19 characters.
  assert.deepEqual(rowLocation(table, { line: 0, endLine: 0 }).range?.end, { line: 0, character: 19 });
});

test('an empty file and an unterminated quote are InputErrors', () => {
  assert.throws(() => parseCsvTable('/x/empty.csv', Buffer.from('')), (e) => e instanceof InputError && e.code === 'dataset/csv-invalid');
  assert.throws(() => parseCsvTable('/x/bad.csv', Buffer.from('a,b\n"x,y\n')), (e) => e instanceof InputError && e.code === 'dataset/csv-invalid' && e.file === '/x/bad.csv');
});
