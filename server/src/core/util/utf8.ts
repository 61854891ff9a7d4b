/**
 * Where bytes stop being UTF-8. Node decodes invalid UTF-8 to U+FFFD without a word, so a
 * Latin-1 `Männlich` silently becomes `M�nnlich`; readers of user files ask here first and say so.
 */
import { isUtf8 } from 'node:buffer';

export interface Utf8Survey {
  /** Byte offset of the first byte that is not part of a valid UTF-8 sequence; -1 when all are valid. */
  invalidAt: number;
  /** Byte offset of the first valid multi-byte sequence (a BOM counts); -1 when there is none or all bytes are valid (not looked for then). */
  multiByteAt: number;
}

/** Valid UTF-8 is the common case and is checked natively; the byte walk runs only for the rest. */
export function surveyUtf8(bytes: Uint8Array): Utf8Survey {
  if (isUtf8(bytes)) return { invalidAt: -1, multiByteAt: -1 };
  let invalidAt = -1;
  let multiByteAt = -1;
  for (let i = 0; i < bytes.length; ) {
    if (bytes[i] < 0x80) {
      i++;
      continue;
    }
    const length = validSequenceLength(bytes, i);
    if (length === 0) {
      if (invalidAt < 0) invalidAt = i;
      i++;
    } else {
      if (multiByteAt < 0) multiByteAt = i;
      i += length;
    }
    if (invalidAt >= 0 && multiByteAt >= 0) break;
  }
  return { invalidAt, multiByteAt };
}

/** Length of the valid multi-byte sequence starting at `i` (RFC 3629: no overlongs, no surrogates), else 0. */
function validSequenceLength(bytes: Uint8Array, i: number): number {
  const lead = bytes[i];
  const length = lead >= 0xf0 && lead <= 0xf4 ? 4 : lead >= 0xe0 ? (lead <= 0xef ? 3 : 0) : lead >= 0xc2 ? 2 : 0;
  if (length === 0 || i + length > bytes.length) return 0;
  let cp = lead & (0x7f >> length);
  for (let k = 1; k < length; k++) {
    const c = bytes[i + k];
    if ((c & 0xc0) !== 0x80) return 0;
    cp = (cp << 6) | (c & 0x3f);
  }
  const min = length === 2 ? 0x80 : length === 3 ? 0x800 : 0x10000;
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return length;
}

/**
 * How many leading bytes of a chunk end on a character boundary: a stream checks those and
 * carries the rest (at most 3 bytes of a sequence cut by the chunk's end) to the next chunk.
 */
export function completeUtf8Prefix(bytes: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const b = bytes[bytes.length - back];
    if (b < 0x80) return bytes.length; // ASCII: whatever came before it was complete or invalid
    if (b >= 0xc0) {
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      return need > back ? bytes.length - back : bytes.length;
    }
  }
  return bytes.length;
}

/** Zero-based line and byte column of a byte offset. */
export function lineAndColumnOf(bytes: Uint8Array, offset: number): { line: number; column: number } {
  let line = 0;
  let lineStart = 0;
  for (let i = bytes.indexOf(10); i !== -1 && i < offset; i = bytes.indexOf(10, i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart };
}
