/**
 * Code lenses at the top of a config and above each model: evaluate, evaluate on the validation
 * split, preview. The commands are the client's; the server only says where they go.
 */
import { isMap, isSeq, type Node } from 'yaml';
import type { CodeLens, Range } from 'vscode-languageserver/node';
import type { OpenConfig } from '../documents';
import { pushAll } from '../../core/util/arrays';

export const EVALUATE_COMMAND = 'medseg.evaluate';
export const PREVIEW_COMMAND = 'medseg.openPreview';

function lensesAt(range: Range, uri: string): CodeLens[] {
  return [
    { range, command: { title: 'Evaluate', command: EVALUATE_COMMAND, arguments: [{ uri }] } },
    { range, command: { title: 'Evaluate on validation split', command: EVALUATE_COMMAND, arguments: [{ uri, split: 'val' }] } },
    { range, command: { title: 'Preview', command: PREVIEW_COMMAND, arguments: [{ uri }] } },
  ];
}

export function configCodeLenses(open: OpenConfig): CodeLens[] {
  const top: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  const lenses = lensesAt(top, open.uri);
  const root = open.parsed.document.yaml.contents;
  const models = isMap(root) ? root.get('models', true) : undefined;
  if (isSeq(models)) {
    models.items.forEach((item, i) => {
      if (!isMap(item) || !(item as Node).range) return;
      const r = open.parsed.document.rangeOf(['models', i]);
      const line: Range = { start: { line: r.start.line, character: 0 }, end: { line: r.start.line, character: 0 } };
      if (line.start.line > 0) pushAll(lenses, lensesAt(line, open.uri));
    });
  }
  return lenses;
}
