/**
 * A parsed config text that remembers where every node is, so that any finding about a config
 * path (`['models', 1, 'input', 'size']`) can be placed on the exact YAML node.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair } from 'yaml';
import type { ConfigPath, Range } from '../findings';

export type RangePart = 'key' | 'value';

export class ConfigDocument {
  readonly lineCounter = new LineCounter();
  readonly yaml: Document.Parsed;

  constructor(
    readonly file: string,
    readonly text: string,
  ) {
    this.yaml = parseDocument(text, { lineCounter: this.lineCounter, prettyErrors: false, uniqueKeys: true });
  }

  /** Zero-based range of a character offset span. */
  rangeOfOffsets(start: number, end: number): Range {
    const s = this.lineCounter.linePos(Math.max(0, Math.min(start, this.text.length)));
    const e = this.lineCounter.linePos(Math.max(0, Math.min(end, this.text.length)));
    return { start: { line: s.line - 1, character: s.col - 1 }, end: { line: e.line - 1, character: e.col - 1 } };
  }

  /**
   * Range of the node at `path`: its key (`part: 'key'`, for unknown or misspelt keys) or its value.
   * When the path does not exist (a missing required key), the deepest existing ancestor's key is
   * used, and for the root the first line, so every finding has a place.
   */
  rangeOf(path: ConfigPath, part: RangePart = 'value'): Range {
    let node: unknown = this.yaml.contents;
    let lastPair: Pair | undefined;
    let lastSeqItem: Node | undefined;
    for (const segment of path) {
      let next: unknown;
      if (typeof segment === 'number' && isSeq(node)) {
        next = node.items[segment];
        lastPair = undefined;
        lastSeqItem = next as Node | undefined;
      } else if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
        if (pair) {
          lastPair = pair as Pair;
          lastSeqItem = undefined;
          next = pair.value ?? pair;
        }
      }
      if (next === undefined) return this.fallbackRange(lastPair, lastSeqItem);
      node = next;
    }
    if (part === 'key' && lastPair && isScalar(lastPair.key) && lastPair.key.range) {
      return this.rangeOfOffsets(lastPair.key.range[0], lastPair.key.range[1]);
    }
    if (isPair(node)) return this.fallbackRange(node as Pair, undefined);
    const range = (node as Node | null | undefined)?.range;
    if (range) return this.rangeOfOffsets(range[0], range[1]);
    return this.fallbackRange(lastPair, lastSeqItem);
  }

  /**
   * Where a finding about a whole mapping goes (a key it lacks): the mapping's key, or for the root
   * the first line of the mapping (past leading comments), so that it marks one line, not the file.
   */
  headRangeOf(path: ConfigPath): Range {
    if (path.length > 0) return this.rangeOf(path, 'key');
    const root = this.yaml.contents;
    const start = isMap(root) && root.items.length > 0 && isScalar(root.items[0].key) && root.items[0].key.range ? root.items[0].key.range[0] : (root?.range?.[0] ?? 0);
    const lineEnd = this.text.indexOf('\n', start);
    return this.rangeOfOffsets(start, (lineEnd < 0 ? this.text.length : lineEnd) - (this.text[lineEnd - 1] === '\r' ? 1 : 0));
  }

  private fallbackRange(pair: Pair | undefined, seqItem: Node | undefined): Range {
    if (pair && isScalar(pair.key) && pair.key.range) return this.rangeOfOffsets(pair.key.range[0], pair.key.range[1]);
    if (seqItem?.range) return this.rangeOfOffsets(seqItem.range[0], seqItem.range[1]);
    const firstLineEnd = this.text.indexOf('\n');
    return this.rangeOfOffsets(0, firstLineEnd < 0 ? this.text.length : firstLineEnd);
  }

  /** The plain JavaScript value of the document (undefined for an empty file). */
  toJS(): unknown {
    return this.yaml.toJS({ maxAliasCount: 100 });
  }
}
