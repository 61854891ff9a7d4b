/** Document links on every path of a config: the file, or for a glob or template its literal folder. */
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DocumentLink } from 'vscode-languageserver/node';
import { rawConfigOf, type OpenConfig } from '../documents';
import { literalPrefix, pathValuesOf } from './pathKeys';

export function configLinks(open: OpenConfig): DocumentLink[] {
  const dir = dirname(open.file);
  const links: DocumentLink[] = [];
  for (const { path, value } of pathValuesOf(rawConfigOf(open))) {
    const literal = literalPrefix(value);
    if (literal === '') continue;
    const range = open.parsed.document.rangeOf(path);
    const quoted = /^["']/.test(open.text.split(/\r?\n/)[range.start.line]?.slice(range.start.character) ?? '');
    const start = { line: range.start.line, character: range.start.character + (quoted ? 1 : 0) };
    const linked = literal.endsWith('/') && literal.length > 1 ? literal.slice(0, -1) : literal;
    // A value spanning lines (a folded scalar) is linked on its first line only.
    if (range.end.line !== range.start.line) continue;
    links.push({
      range: { start, end: { line: start.line, character: start.character + linked.length } },
      target: pathToFileURL(resolve(dir, linked)).toString(),
      tooltip: literal === value ? 'Open file' : 'Open folder',
    });
  }
  return links;
}
