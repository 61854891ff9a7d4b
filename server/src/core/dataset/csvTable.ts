/**
 * CSV files of the dataset (clinical labels, split files) read with the zero-based line of every
 * row, so a finding about a row can point at it in the editor.
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import type { Location } from '../findings';
import { InputError } from '../findings';
import { csvBytesAsUtf8, type CsvEncodingNote } from './csvEncoding';

export interface CsvRow {
  cells: string[];
  /** Zero-based first and last line of the row (a quoted cell may span lines). */
  line: number;
  endLine: number;
}

export interface CsvTable {
  file: string;
  header: string[];
  headerLine: number;
  rows: CsvRow[];
  /**
   * Rows whose cell count differs from the header's, left out of `rows`: an unquoted comma in a
   * value or a missing cell shifts every later column, so their values cannot be trusted. Extra
   * cells that are all empty (a trailing comma) and rows of empty cells are not ragged.
   */
  ragged: CsvRow[];
  /** Set when the file was not UTF-8 and was read as Windows-1252. */
  encoding?: CsvEncodingNote;
  /** Length of every line in UTF-16 units (LSP characters), for ranges. */
  lineLengths: number[];
}

interface ParsedRecord {
  record: string[];
  info: { bytes: number };
}

/**
 * Reads and parses `file`. Throws `InputError` with code `io/not-found` for a missing file and
 * `dataset/csv-invalid` for a file csv-parse rejects or whose lines mix text encodings.
 */
export async function readCsvTable(file: string): Promise<CsvTable> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(file, `\`${file}\` ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? (err as Error).message})`}.`, code === 'ENOENT' ? 'io/not-found' : 'io/unreadable');
  }
  return parseCsvTable(file, bytes);
}

export function parseCsvTable(file: string, raw: Buffer): CsvTable {
  const { bytes, note } = csvBytesAsUtf8(file, raw);
  // Most dataset CSVs have no quotes at all; for them a line is a record and a comma a
  // separator, which a split reads ~5× faster than csv-parse with record info (60,000-row
  // tables are common). Anything quoted goes through csv-parse.
  if (!bytes.includes(0x22)) return tableOf(file, parseSimpleCsv(bytes), note);
  let records: ParsedRecord[];
  try {
    records = parse(bytes, { bom: true, trim: true, relax_column_count: true, skip_empty_lines: true, info: true }) as unknown as ParsedRecord[];
  } catch (err) {
    const e = err as Error & { lines?: number };
    const where = e.lines !== undefined ? ` (line ${e.lines})` : '';
    throw new InputError(file, `\`${file}\` is not a readable CSV${where}: ${e.message}`, 'dataset/csv-invalid');
  }
  const lineStarts = byteLineStarts(bytes);
  const text = bytes.toString('utf8');
  const lineLengths = text.split('\n').map((l) => (l.endsWith('\r') ? l.length - 1 : l.length));
  if (lineLengths.length > 0 && lineLengths[0] > 0 && text.charCodeAt(0) === 0xfeff) lineLengths[0]--;
  // csv-parse's own line counter drifts on mixed line endings; the byte offset of a record's end
  // does not, so lines are derived from it.
  const rows: CsvRow[] = records.map(({ record, info }) => {
    const endLine = lineOfByte(lineStarts, Math.max(0, info.bytes - 1));
    const innerBreaks = record.reduce((n, cell) => n + countNewlines(cell), 0);
    return { cells: record, line: Math.max(0, endLine - innerBreaks), endLine };
  });
  return tableOf(file, { rows, lineLengths }, note);
}

/** The header and the data rows, the ragged ones set apart. */
function tableOf(file: string, parsed: { rows: CsvRow[]; lineLengths: number[] }, encoding: CsvEncodingNote | undefined): CsvTable {
  const [headerRow, ...dataRows] = parsed.rows;
  if (!headerRow) throw new InputError(file, `\`${file}\` is empty: it needs a header line.`, 'dataset/csv-invalid');
  const width = headerRow.cells.length;
  const rows: CsvRow[] = [];
  const ragged: CsvRow[] = [];
  for (const row of dataRows) (isRagged(row.cells, width) ? ragged : rows).push(row);
  return { file, header: headerRow.cells, headerLine: headerRow.line, rows, ragged, ...(encoding ? { encoding } : {}), lineLengths: parsed.lineLengths };
}

function isRagged(cells: readonly string[], width: number): boolean {
  if (cells.length === width || cells.every((c) => c === '')) return false;
  return cells.length < width || cells.slice(width).some((c) => c !== '');
}

/** The location of a row: its lines, whole. */
export function rowLocation(table: CsvTable, row: { line: number; endLine: number }): Location {
  return {
    file: table.file,
    range: { start: { line: row.line, character: 0 }, end: { line: row.endLine, character: table.lineLengths[row.endLine] ?? 0 } },
  };
}

export function headerLocation(table: CsvTable): Location {
  return rowLocation(table, { line: table.headerLine, endLine: table.headerLine });
}

/** `line 1: image_id, diagnosis` — the header as a human reads it (one-based line). */
export function describeHeader(table: CsvTable): string {
  return `line ${table.headerLine + 1}: ${table.header.map((h) => `\`${h}\``).join(', ')}`;
}

/** Findings about rows in the order of their lines (stable for findings on one line). */
export function sortByLine<T extends { location?: Location }>(findings: readonly T[]): T[] {
  return [...findings].sort((a, b) => (a.location?.range?.start.line ?? -1) - (b.location?.range?.start.line ?? -1));
}

function byteLineStarts(bytes: Buffer): number[] {
  const starts = [0];
  for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) starts.push(i + 1);
  return starts;
}

function lineOfByte(lineStarts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/** Quote-free CSV, with csv-parse's semantics for the options above (bom, trim, relax_column_count, skip_empty_lines). */
function parseSimpleCsv(bytes: Buffer): { rows: CsvRow[]; lineLengths: number[] } {
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split('\n');
  const lineLengths = new Array<number>(lines.length);
  const rows: CsvRow[] = [];
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i];
    if (line.endsWith('\r')) line = line.slice(0, -1);
    lineLengths[i] = line.length;
    if (line === '') continue;
    rows.push({ cells: line.split(',').map((c) => c.trim()), line: i, endLine: i });
  }
  return { rows, lineLengths };
}
