/**
 * A line-by-line reading of block YAML: sequence dashes, keys and scalars with their columns.
 * The editor asks about positions in text that is usually half-typed and often not valid YAML,
 * where a parser gives up or guesses; indentation still says where the cursor is.
 */

export type LineToken =
  | { kind: 'seq'; col: number }
  | { kind: 'key'; col: number; key: string; keyEnd: number; valueCol: number; value: string }
  | { kind: 'scalar'; col: number; value: string };

const KEY = /^("([^"]*)"|'([^']*)'|([^\s#"'\-?:,[\]{}][^:#]*?|-[^\s:#][^:#]*?))\s*:(?=\s|$)/;

/** The text of `value` up to a ` #` comment, trimmed at the end. */
export function stripComment(value: string): string {
  let quote: string | undefined;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") {
      if (i === 0 || /\s|[[{,]/.test(value[i - 1])) quote = ch;
    } else if (ch === '#' && (i === 0 || /\s/.test(value[i - 1]))) {
      return value.slice(0, i).trimEnd();
    }
  }
  return value.trimEnd();
}

export function tokenizeLine(line: string): LineToken[] {
  const tokens: LineToken[] = [];
  let i = 0;
  while (i < line.length && line[i] === ' ') i++;
  while (line[i] === '-' && (i + 1 === line.length || line[i + 1] === ' ')) {
    tokens.push({ kind: 'seq', col: i });
    i++;
    while (i < line.length && line[i] === ' ') i++;
  }
  const rest = line.slice(i);
  if (rest === '' || rest.startsWith('#')) return tokens;
  const m = KEY.exec(rest);
  if (m) {
    const key = m[2] ?? m[3] ?? m[4] ?? '';
    let valueCol = i + m[0].length;
    while (valueCol < line.length && line[valueCol] === ' ') valueCol++;
    const value = stripComment(line.slice(valueCol));
    tokens.push({ kind: 'key', col: i, key: key.trim(), keyEnd: i + m[1].length, valueCol, value });
  } else {
    tokens.push({ kind: 'scalar', col: i, value: stripComment(rest) });
  }
  return tokens;
}

/** Lines of a text as the editor counts them (LF or CRLF). */
export function splitLines(text: string): string[] {
  return text.split(/\r?\n/);
}

/** Tokens of each line, computed once per text. Blank and comment-only lines have none. */
export class TokenizedText {
  readonly lines: string[];
  private readonly cache: (LineToken[] | undefined)[];

  constructor(text: string) {
    this.lines = splitLines(text);
    this.cache = new Array(this.lines.length);
  }

  tokens(line: number): LineToken[] {
    return (this.cache[line] ??= tokenizeLine(this.lines[line] ?? ''));
  }
}

/**
 * Index of the sequence item whose dash is at `col` on `line`: dashes at that column counted
 * upwards until the collection's owner (a line starting left of it, or a key at the same column,
 * as in `models:\n- name: a`).
 */
export function sequenceIndex(t: TokenizedText, line: number, col: number): number {
  let count = 0;
  for (let j = line; j >= 0; j--) {
    const toks = t.tokens(j);
    if (toks.length === 0) continue;
    const first = toks[0];
    if (first.col < col || (first.col === col && first.kind !== 'seq')) break;
    if (toks.some((tok) => tok.kind === 'seq' && tok.col === col)) count++;
  }
  return Math.max(0, count - 1);
}

/**
 * Config path of the collection that holds a node starting at column `col` of `line`, given the
 * tokens left of it on the same line (the dashes of `- - x`, the `- ` of `- name: a`).
 */
export function containerPath(t: TokenizedText, line: number, before: readonly LineToken[], col: number): (string | number)[] {
  const path: (string | number)[] = [];
  let target = col;
  let targetIsSeq = false;
  for (let k = before.length - 1; k >= 0; k--) {
    const tok = before[k];
    if (tok.kind !== 'seq' || tok.col >= target) continue;
    path.unshift(sequenceIndex(t, line, tok.col));
    target = tok.col;
    targetIsSeq = true;
  }
  for (let j = line - 1; j >= 0 && (target > 0 || targetIsSeq); j--) {
    const toks = t.tokens(j);
    if (toks.length === 0) continue;
    const owners = toks.filter((tok) => tok.col < target || (targetIsSeq && tok.col === target && tok.kind === 'key'));
    if (owners.length === 0) continue;
    for (let k = owners.length - 1; k >= 0; k--) {
      const tok = owners[k];
      if (tok.kind === 'key') {
        path.unshift(tok.key);
        targetIsSeq = false;
      } else if (tok.kind === 'seq') {
        path.unshift(sequenceIndex(t, j, tok.col));
        targetIsSeq = true;
      } else {
        targetIsSeq = false;
      }
      target = tok.col;
    }
  }
  return path;
}

/**
 * Keys of the block mapping that holds a key at column `col` on `line` (that line itself left
 * out): the siblings above and below, up to the lines that leave the mapping.
 */
export function siblingKeys(t: TokenizedText, line: number, col: number): string[] {
  const keys: string[] = [];
  /** Collects a key at `col` on line j; false when line j is outside (or opens) the mapping. */
  const collect = (j: number): boolean => {
    const toks = t.tokens(j);
    if (toks.length === 0) return true;
    const key = toks.find((tok) => tok.col === col && tok.kind === 'key');
    if (key && key.kind === 'key') keys.push(key.key);
    return toks[0].col >= col;
  };
  // `- name: a`: a dash left of the key opens the item, so the mapping starts on that line.
  const opensItem = t.tokens(line).some((tok) => tok.kind === 'seq' && tok.col < col);
  if (!opensItem) for (let j = line - 1; j >= 0 && collect(j); j--);
  for (let j = line + 1; j < t.lines.length; j++) {
    const toks = t.tokens(j);
    if (toks.length > 0 && toks[0].col < col) break;
    collect(j);
  }
  return keys;
}
