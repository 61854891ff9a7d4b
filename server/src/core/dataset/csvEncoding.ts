/**
 * The text encoding of a dataset CSV. Spreadsheets write several: Excel on Windows saves "CSV" in
 * the ANSI code page (Windows-1252 in Western Europe), "CSV UTF-8" with a BOM, "Unicode text" as
 * UTF-16. Tables are parsed from UTF-8 bytes; this turns the others into UTF-8 and records what
 * it guessed, so a Latin-1 `Männlich` is read as such and the user is told, never `M�nnlich`.
 */
import { InputError } from '../findings';
import { lineAndColumnOf, surveyUtf8 } from '../util/utf8';

/** The bytes were not UTF-8 and were read as Windows-1252 (a superset of Latin-1's printable characters). */
export interface CsvEncodingNote {
  encoding: 'windows-1252';
  /** Zero-based line and character of the first byte that is not UTF-8. */
  line: number;
  character: number;
  /** That byte, and what Windows-1252 makes of it. */
  byte: number;
  decoded: string;
}

export interface Utf8Csv {
  bytes: Buffer;
  note?: CsvEncodingNote;
}

/**
 * UTF-8 (with or without BOM) is returned as it is, UTF-16 with a BOM is converted (no guess
 * involved). Bytes that are not UTF-8 are read as Windows-1252, unless the file also holds UTF-8
 * sequences: a file edited in two encodings has no one decoding that reads every line right, so
 * that is an InputError (`dataset/csv-invalid`).
 */
export function csvBytesAsUtf8(file: string, bytes: Buffer): Utf8Csv {
  const utf16 = bytes[0] === 0xff && bytes[1] === 0xfe ? 'utf-16le' : bytes[0] === 0xfe && bytes[1] === 0xff ? 'utf-16be' : undefined;
  if (utf16) {
    try {
      return { bytes: Buffer.from(new TextDecoder(utf16, { fatal: true }).decode(bytes), 'utf8') };
    } catch {
      throw new InputError(file, `\`${file}\` starts like UTF-16 text (a byte-order mark) but is not valid UTF-16: save it as UTF-8 (Excel: "CSV UTF-8").`, 'dataset/csv-invalid');
    }
  }
  const { invalidAt, multiByteAt } = surveyUtf8(bytes);
  if (invalidAt < 0) return { bytes };
  const at = lineAndColumnOf(bytes, invalidAt);
  const hex = `0x${bytes[invalidAt].toString(16).toUpperCase().padStart(2, '0')}`;
  if (multiByteAt >= 0) {
    const utf8Line = lineAndColumnOf(bytes, multiByteAt).line;
    throw new InputError(
      file,
      `\`${file}\` mixes two text encodings: line ${utf8Line + 1} holds UTF-8 text, but the byte ${hex} on line ${at.line + 1} is not UTF-8, ` +
        'so no one encoding reads every line right. Save the file as UTF-8 (Excel: "CSV UTF-8") and check the names on those lines.',
      'dataset/csv-invalid',
    );
  }
  return {
    bytes: Buffer.from(decodeWindows1252(bytes), 'utf8'),
    // Windows-1252 maps each byte to one UTF-16 unit, so the byte column is the character column.
    note: { encoding: 'windows-1252', line: at.line, character: at.column, byte: bytes[invalidAt], decoded: decodeWindows1252(bytes.subarray(invalidAt, invalidAt + 1)) },
  };
}

/**
 * Windows-1252 as the WHATWG Encoding Standard defines it: Latin-1, except that 0x80–0x9F are
 * printable (€, curly quotes, Š, …) and the five unassigned bytes stay C1 controls. Node's
 * TextDecoder('windows-1252') decodes plain Latin-1 instead, so the table is here.
 */
const WINDOWS_1252_80_9F = '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

export function decodeWindows1252(bytes: Uint8Array): string {
  const latin1 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  return latin1.replace(/[\x80-\x9f]/g, (c) => WINDOWS_1252_80_9F[c.charCodeAt(0) - 0x80]);
}
