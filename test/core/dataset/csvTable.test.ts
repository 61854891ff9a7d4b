import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeWindows1252 } from '../../../server/src/core/dataset/csvEncoding';
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
    ],
  );
  // One cell too many and one too few: set apart, not read.
  assert.deepEqual(
    table.ragged.map((r) => [r.cells, r.line, r.endLine]),
    [
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

describe('encodings', () => {
  const latin1 = (text: string) => Buffer.from(text, 'latin1');

  test('Latin-1 / Windows-1252 bytes are read as Windows-1252, noting the first byte that is not UTF-8', () => {
    // 0xE4 is ä in Latin-1; 0x80 is € in Windows-1252 (a C1 control in Latin-1).
    for (const [text, cells] of [
      ['image_id,sex,cost\na,M\xe4nnlich,5\x80\n', ['a', 'Männlich', '5€']],
      ['image_id,sex,cost\n"a","M\xe4nnlich","5\x80"\n', ['a', 'Männlich', '5€']], // csv-parse path
    ] as const) {
      const table = parseCsvTable('/x/clinical.csv', latin1(text));
      assert.deepEqual(table.rows.map((r) => r.cells), [cells]);
      const column = text.indexOf('\xe4') - text.indexOf('\n') - 1;
      assert.deepEqual(table.encoding, { encoding: 'windows-1252', line: 1, character: column, byte: 0xe4, decoded: 'ä' });
      assert.equal(table.lineLengths[1], text.split('\n')[1].length, 'one character per byte');
    }
  });

  test('Windows-1252 decodes 0x80–0x9F to its printable characters (Node\'s TextDecoder gives Latin-1 controls)', () => {
    // From the Windows-1252 code chart: 80 €, 81 unassigned, 8A Š, 91 ‘, 92 ’, 99 ™, 9F Ÿ; A0–FF as Latin-1.
    assert.equal(decodeWindows1252(Uint8Array.from([0x80, 0x81, 0x8a, 0x91, 0x92, 0x99, 0x9f, 0xe4, 0xff])), '€\u0081Š‘’™Ÿäÿ');
  });

  test('UTF-8 with and without BOM, and UTF-16 with BOM, are read exactly and noted nowhere', () => {
    const text = 'image_id,sex\na,Männlich\nb,Ørsted\n';
    const utf16be = Buffer.from(text, 'utf16le').swap16();
    for (const bytes of [
      Buffer.from(text, 'utf8'),
      Buffer.from('\ufeff' + text, 'utf8'),
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]),
      Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be]),
    ]) {
      const table = parseCsvTable('/x/c.csv', bytes);
      assert.deepEqual(table.header, ['image_id', 'sex']);
      assert.deepEqual(table.rows.map((r) => r.cells), [['a', 'Männlich'], ['b', 'Ørsted']]);
      assert.equal(table.encoding, undefined);
    }
  });

  test('a file with UTF-8 text on one line and Latin-1 on another is refused, naming both lines', () => {
    const bytes = Buffer.concat([Buffer.from('image_id,sex\na,Männlich\n', 'utf8'), latin1('b,M\xe4nnlich\n')]);
    assert.throws(
      () => parseCsvTable('/x/mixed.csv', bytes),
      (e) => e instanceof InputError && e.code === 'dataset/csv-invalid' && /mixes two text encodings: line 2 holds UTF-8 text, but the byte 0xE4 on line 3 is not UTF-8/.test(e.message),
    );
  });
});

describe('ragged rows', () => {
  test('rows with missing or extra cells are set apart; a trailing empty cell and an empty row are not ragged', () => {
    for (const quote of [false, true]) {
      const q = (s: string) => (quote ? s.split(',').map((c) => `"${c}"`).join(',') : s);
      const text = [q('image_id,patient_id,diagnosis'), q('a,p1,nevus'), q('b,p2'), q('c,p3,nevus,leg'), q('d,p4,melanoma,'), q(',,,'), q('e,p5,Smith, J')].join('\n');
      const table = parseCsvTable('/x/c.csv', Buffer.from(text));
      assert.deepEqual(table.rows.map((r) => [r.line, r.cells[0]]), [[1, 'a'], [4, 'd'], [5, '']], `quoted: ${quote}`);
      assert.deepEqual(table.ragged.map((r) => [r.line, r.cells.length]), [[2, 2], [3, 4], [6, 4]], `quoted: ${quote}`);
    }
  });
});
