/**
 * Where a position is in a config, in the terms completion and hover need: which mapping a key
 * would go into, or which value is being typed, with the text typed so far and the range it
 * occupies. Works on half-typed text (see lineTokens.ts).
 */
import type { Position, Range } from '../../core/findings';
import { containerPath, siblingKeys, stripComment, TokenizedText, tokenizeLine, type LineToken } from './lineTokens';

export type ConfigPathSegments = (string | number)[];

export interface KeyContext {
  kind: 'key';
  /** Path of the mapping the key goes into. */
  path: ConfigPathSegments;
  prefix: string;
  /** The key's characters on the line (to be replaced). */
  range: Range;
  /** Column of the key (indentation of a multi-line insertion). */
  column: number;
  /** Keys already in that mapping. */
  siblings: string[];
  /** The line already has `:` after the key. */
  hasColon: boolean;
}

export interface ValueContext {
  kind: 'value';
  /** Path of the value (for a list item: the list's path plus the item index). */
  path: ConfigPathSegments;
  prefix: string;
  range: Range;
  /** The value is an item of a list; `listed` holds the other items. */
  inList: boolean;
  listed: string[];
}

export type CursorContext = KeyContext | ValueContext;

const range = (line: number, start: number, end: number): Range => ({ start: { line, character: start }, end: { line, character: end } });

function unquote(s: string): string {
  return s.replace(/^["']/, '').replace(/["']$/, '');
}

/** End of the word starting at `col` (stops at `:` + space, `,`, `]`, `}`, or a space). */
function wordEnd(line: string, col: number): number {
  let i = col;
  while (i < line.length && !/[\s,\]}]/.test(line[i]) && !(line[i] === ':' && (i + 1 === line.length || line[i + 1] === ' '))) i++;
  return i;
}

/**
 * @param isMappingPath whether the node at a path is a mapping (from the schema): decides if
 *   `- na|` in a list is the first key of a list item (`models`) or a scalar item (`label_columns`).
 */
export function cursorContext(text: string, position: Position, isMappingPath: (path: ConfigPathSegments) => boolean): CursorContext | undefined {
  const t = new TokenizedText(text);
  const lineNo = position.line;
  const line = t.lines[lineNo];
  if (line === undefined) return undefined;
  const ch = Math.min(position.character, line.length);
  const before = line.slice(0, ch);
  if (stripComment(before).length < before.trimEnd().length) return undefined; // in a comment
  const toks = tokenizeLine(before);
  const last = toks[toks.length - 1];

  if (last?.kind === 'key') {
    const rawValue = before.slice(last.valueCol);
    const keyPath = [...containerPath(t, lineNo, toks.slice(0, -1), last.col), last.key];
    return flowOrScalarValue(lineNo, line, ch, last.valueCol, rawValue, keyPath);
  }

  const head: LineToken[] = last?.kind === 'scalar' ? toks.slice(0, -1) : toks;
  const col = last?.kind === 'scalar' ? last.col : ch;
  const prefix = last?.kind === 'scalar' ? before.slice(last.col) : '';
  const end = Math.max(ch, wordEnd(line, col));
  const hasColon = /^\s*:/.test(line.slice(end));
  const inItem = head.some((tok) => tok.kind === 'seq');
  const path = containerPath(t, lineNo, head, col);
  if (inItem && !isMappingPath(path)) {
    // A scalar item of a block list (`label_columns:\n  - diag|`).
    const listed = listItemsAround(t, lineNo, head[head.length - 1].col);
    return { kind: 'value', path, prefix: unquote(prefix), range: range(lineNo, col + (/^["']/.test(prefix) ? 1 : 0), ch), inList: true, listed };
  }
  return { kind: 'key', path, prefix, range: range(lineNo, col, end), column: col, siblings: siblingKeys(t, lineNo, col), hasColon };
}

function flowOrScalarValue(
  lineNo: number,
  line: string,
  ch: number,
  valueCol: number,
  rawValue: string,
  keyPath: ConfigPathSegments,
): CursorContext | undefined {
  if (rawValue.startsWith('[')) {
    const parts = rawValue.slice(1).split(',');
    const current = parts[parts.length - 1].trimStart();
    const start = ch - current.length;
    const listed = [...parts.slice(0, -1), ...line.slice(ch).replace(/\].*$/, '').split(',').slice(1)].map((p) => unquote(p.trim())).filter(Boolean);
    return {
      kind: 'value',
      path: [...keyPath, parts.length - 1],
      prefix: unquote(current),
      range: range(lineNo, start + (/^["']/.test(current) ? 1 : 0), ch),
      inList: true,
      listed,
    };
  }
  if (rawValue.startsWith('{')) {
    const segments = rawValue.slice(1).split(',');
    const current = segments[segments.length - 1];
    const colon = current.indexOf(':');
    if (colon >= 0) {
      const key = current.slice(0, colon).trim();
      const typed = current.slice(colon + 1).trimStart();
      return { kind: 'value', path: [...keyPath, key], prefix: unquote(typed), range: range(lineNo, ch - typed.length, ch), inList: false, listed: [] };
    }
    const typed = current.trim();
    const siblings = rawValue
      .slice(1)
      .split(',')
      .map((s) => s.split(':')[0].trim())
      .filter((k) => k && k !== typed);
    return { kind: 'key', path: keyPath, prefix: typed, range: range(lineNo, ch - typed.length, wordEnd(line, ch - typed.length)), column: ch - typed.length, siblings, hasColon: false };
  }
  const quoted = /^["']/.test(rawValue);
  const start = valueCol + (quoted ? 1 : 0);
  let end = wordEnd(line, start);
  if (quoted) {
    const close = line.indexOf(rawValue[0], start);
    end = close >= 0 ? close : line.length;
  } else {
    // A plain scalar may hold spaces; it ends at a comment or the line's end.
    const rest = line.slice(start);
    const comment = rest.search(/\s#/);
    end = start + (comment >= 0 ? comment : rest.trimEnd().length);
  }
  return { kind: 'value', path: keyPath, prefix: unquote(rawValue), range: range(lineNo, start, Math.max(end, ch)), inList: false, listed: [] };
}

/** Scalar items of the block list whose dashes are at `col`, around `lineNo` (excluding it). */
function listItemsAround(t: TokenizedText, lineNo: number, col: number): string[] {
  const items: string[] = [];
  const visit = (j: number): boolean => {
    const toks = t.tokens(j);
    if (toks.length === 0) return true;
    if (toks[0].col < col || (toks[0].col === col && toks[0].kind !== 'seq')) return false;
    const item = toks.find((_tok, k) => k > 0 && toks[k - 1].kind === 'seq' && toks[k - 1].col === col);
    if (item?.kind === 'scalar') items.push(unquote(item.value));
    return true;
  };
  for (let j = lineNo - 1; j >= 0 && visit(j); j--);
  for (let j = lineNo + 1; j < t.lines.length && visit(j); j++);
  return items;
}

export interface NodeAtPosition {
  path: ConfigPathSegments;
  part: 'key' | 'value';
  range: Range;
}

/** The key or value under a position (for hover), from the full line. */
export function nodeAt(text: string, position: Position): NodeAtPosition | undefined {
  const t = new TokenizedText(text);
  const lineNo = position.line;
  const line = t.lines[lineNo];
  if (line === undefined) return undefined;
  const ch = position.character;
  const toks = tokenizeLine(line);
  for (let k = 0; k < toks.length; k++) {
    const tok = toks[k];
    if (tok.kind === 'key') {
      const path = [...containerPath(t, lineNo, toks.slice(0, k), tok.col), tok.key];
      if (ch >= tok.col && ch <= tok.keyEnd) return { path, part: 'key', range: range(lineNo, tok.col, tok.keyEnd) };
      if (ch >= tok.valueCol && ch <= tok.valueCol + tok.value.length && tok.value !== '') {
        if (tok.value.startsWith('[')) {
          const inner = line.slice(tok.valueCol + 1, ch);
          const index = inner.split(',').length - 1;
          return { path: [...path, index], part: 'value', range: range(lineNo, tok.valueCol, tok.valueCol + tok.value.length) };
        }
        return { path, part: 'value', range: range(lineNo, tok.valueCol, tok.valueCol + tok.value.length) };
      }
    } else if (tok.kind === 'scalar' && ch >= tok.col && ch <= tok.col + tok.value.length) {
      return { path: containerPath(t, lineNo, toks.slice(0, k), tok.col), part: 'value', range: range(lineNo, tok.col, tok.col + tok.value.length) };
    }
  }
  return undefined;
}
