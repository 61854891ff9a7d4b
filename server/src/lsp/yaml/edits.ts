/**
 * Small text edits that set or remove one key of a config mapping while leaving every other
 * character (comments, quoting, order) as the user wrote it: quick fixes must not reformat.
 */
import { isMap, isScalar, type Node, type Pair, type YAMLMap } from 'yaml';
import type { ConfigDocument } from '../../core/config';
import type { Range } from '../../core/findings';

export interface TextEdit {
  range: Range;
  newText: string;
}

type Path = readonly (string | number)[];

function nodeAtPath(doc: ConfigDocument, path: Path): unknown {
  return path.length === 0 ? doc.yaml.contents : doc.yaml.getIn(path, true);
}

function pairOf(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => isScalar(p.key) && String(p.key.value) === key) as Pair | undefined;
}

function columnOf(doc: ConfigDocument, offset: number): number {
  return doc.rangeOfOffsets(offset, offset).start.character;
}

function lineEndOffset(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl < 0 ? text.length : nl > 0 && text[nl - 1] === '\r' ? nl - 1 : nl;
}

function insertAt(doc: ConfigDocument, offset: number, newText: string): TextEdit {
  const r = doc.rangeOfOffsets(offset, offset);
  return { range: r, newText };
}

/**
 * End offset of a pair's content (its value, or its key when the value is empty). A block
 * collection's range runs on to the next line; its content ends at its last non-blank character.
 */
function pairEnd(text: string, pair: Pair): number {
  const value = pair.value as Node | null;
  const key = pair.key as Node;
  let end = value?.range?.[1] ?? key.range?.[1] ?? 0;
  while (end > 0 && /\s/.test(text[end - 1])) end--;
  return Math.max(end, key.range?.[1] ?? 0);
}

/**
 * Edits that make `mapPath.key` hold `valueText` (a YAML scalar or flow value, as text): replace
 * the value when the key exists, else insert the key after `after` (the last of them present) or
 * at the mapping's end, creating missing parent mappings as block mappings.
 */
export function setKeyEdits(doc: ConfigDocument, mapPath: Path, key: string, valueText: string, after: readonly string[] = []): TextEdit[] {
  return setKeyRendered(doc, mapPath, key, () => ` ${valueText}`, after);
}

function setKeyRendered(doc: ConfigDocument, mapPath: Path, key: string, renderValue: (indent: number) => string, after: readonly string[]): TextEdit[] {
  const text = doc.text;
  const node = nodeAtPath(doc, mapPath);
  if (isMap(node)) {
    const pair = pairOf(node, key);
    if (pair) {
      const value = pair.value as Node | null;
      if (value?.range && value.range[1] > value.range[0]) {
        const r = doc.rangeOfOffsets(value.range[0], pairEnd(text, pair));
        return [{ range: r, newText: renderValue(columnOf(doc, (pair.key as Node).range![0])).replace(/^ /, '') }];
      }
      const colon = text.indexOf(':', (pair.key as Node).range![1]);
      return [insertAt(doc, colon + 1, renderValue(columnOf(doc, (pair.key as Node).range![0])))];
    }
    if (node.flow) {
      const value = renderValue(0);
      const last = node.items[node.items.length - 1] as Pair | undefined;
      if (last) return [insertAt(doc, pairEnd(text, last), `, ${key}:${value}`)];
      return [insertAt(doc, text.lastIndexOf('}', node.range![1]), ` ${key}:${value} `)];
    }
    const firstKey = node.items[0]?.key as Node | undefined;
    const indent = firstKey?.range ? columnOf(doc, firstKey.range[0]) : 0;
    const anchors = node.items.filter((p) => isScalar(p.key) && after.includes(String(p.key.value)));
    const anchor = (anchors[anchors.length - 1] ?? node.items[node.items.length - 1]) as Pair | undefined;
    if (!anchor) return [insertAt(doc, node.range?.[0] ?? 0, `${key}:${renderValue(indent)}\n`)];
    const at = lineEndOffset(text, pairEnd(text, anchor));
    return [insertAt(doc, at, `\n${' '.repeat(indent)}${key}:${renderValue(indent)}`)];
  }
  if (node === undefined || node === null || (isScalar(node) && (node as { value: unknown }).value === null)) {
    if (mapPath.length === 0) {
      // An empty document.
      const sep = text.length > 0 && !text.endsWith('\n') ? '\n' : '';
      return [insertAt(doc, text.length, `${sep}${key}:${renderValue(0)}\n`)];
    }
    const parentPath = mapPath.slice(0, -1);
    const parentKey = String(mapPath[mapPath.length - 1]);
    return setKeyRendered(doc, parentPath, parentKey, (indent) => `\n${' '.repeat(indent + 2)}${key}:${renderValue(indent + 2)}`, []);
  }
  return []; // a scalar or list where a mapping should be: the schema diagnostics say so
}

/** Edit that deletes `mapPath.key` with its whole lines, or undefined when it is absent or in a flow mapping. */
export function removeKeyEdit(doc: ConfigDocument, mapPath: Path, key: string): TextEdit | undefined {
  const node = nodeAtPath(doc, mapPath);
  if (!isMap(node) || node.flow) return undefined;
  const pair = pairOf(node, key);
  const keyNode = pair?.key as Node | undefined;
  if (!pair || !keyNode?.range) return undefined;
  const text = doc.text;
  const start = text.lastIndexOf('\n', keyNode.range[0] - 1) + 1;
  let end = lineEndOffset(text, pairEnd(text, pair));
  if (end < text.length) end = text.indexOf('\n', end) + 1;
  return { range: doc.rangeOfOffsets(start, end), newText: '' };
}

/** Edit that replaces a whole pair (`key: value`, all its lines) by `replacement` (one `key: value` line). */
export function replacePairEdit(doc: ConfigDocument, mapPath: Path, key: string, replacement: string): TextEdit | undefined {
  const node = nodeAtPath(doc, mapPath);
  if (!isMap(node)) return undefined;
  const pair = pairOf(node, key);
  const keyNode = pair?.key as Node | undefined;
  if (!pair || !keyNode?.range) return undefined;
  return { range: doc.rangeOfOffsets(keyNode.range[0], pairEnd(doc.text, pair)), newText: replacement };
}
