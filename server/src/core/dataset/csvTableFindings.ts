/**
 * What a CSV table itself says is wrong, whatever its role (clinical labels, split file): an
 * encoding that had to be guessed, rows whose cells do not line up with the header.
 */
import type { Finding } from '../findings';
import { rowLocation, type CsvRow, type CsvTable } from './csvTable';
import { perItemOrAggregated, previewList } from './findingHelpers';

export function csvTableFindings(table: CsvTable, csvName: string): Finding[] {
  const findings: Finding[] = [];
  const note = table.encoding;
  if (note) {
    const hex = `0x${note.byte.toString(16).toUpperCase().padStart(2, '0')}`;
    findings.push({
      code: 'dataset/csv-not-utf8',
      severity: 'warning',
      message:
        `\`${csvName}\` is not UTF-8: the byte ${hex} on line ${note.line + 1}, column ${note.character + 1} is not valid UTF-8, so the file is read as ` +
        `Windows-1252 (Latin-1), which makes it \`${note.decoded}\`. Save the file as UTF-8 (Excel: "CSV UTF-8"), from the program that wrote it if that reading is wrong.`,
      location: { file: table.file, range: { start: { line: note.line, character: note.character }, end: { line: note.line, character: note.character + 1 } } },
    });
  }
  const width = table.header.length;
  const cells = (row: CsvRow) => `${row.cells.length} cell${row.cells.length === 1 ? '' : 's'}`;
  const fix = `Quote values that hold a comma ("Smith, J") and give every row ${width} cells.`;
  for (const f of perItemOrAggregated(
    table.ragged,
    (row) => ({
      code: 'dataset/csv-ragged-row',
      severity: 'error',
      message:
        `Line ${row.line + 1} of \`${csvName}\` has ${cells(row)} where the header has ${width}: an unquoted comma in a value or a missing cell shifts the columns after it, ` +
        `so this row is ignored. ${fix}`,
      location: rowLocation(table, row),
    }),
    (all) => ({
      code: 'dataset/csv-ragged-row',
      severity: 'error',
      message:
        `${all.length} rows of \`${csvName}\` have another number of cells than the header's ${width} (lines ${previewList(all.map((r) => String(r.line + 1)))}) and are ignored: ` +
        `an unquoted comma in a value or a missing cell shifts the columns after it. ${fix}`,
      location: rowLocation(table, all[0]),
    }),
  )) {
    findings.push(f);
  }
  return findings;
}
