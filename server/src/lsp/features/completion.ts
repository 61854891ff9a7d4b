/**
 * Completion in a config: keys and enum values from the schema, file and folder paths, model
 * names where models are referenced, label columns read from the clinical CSV's header, and an
 * ONNX model's output names for its `output.name`.
 */
import { readdir } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { CompletionItemKind, InsertTextFormat, MarkupKind, type CompletionItem, type Position } from 'vscode-languageserver/node';
import { rawConfigOf, type OpenConfig } from '../documents';
import { cursorContext, type KeyContext, type ValueContext } from '../yaml';
import { formatTensorType } from '../../core/onnx';
import { csvHeaderOf, modelInfoOf } from './fileFacts';
import { pathKeyOf } from './pathKeys';
import { enumValuesOf, isMappingPath, keyDocumentation, propertiesOf, schemaOf, typeLabel } from './schemaInfo';

type Path = readonly (string | number)[];

const RETRIGGER = { title: 'Suggest', command: 'editor.action.triggerSuggest' };

export async function completeConfig(open: OpenConfig, position: Position): Promise<CompletionItem[]> {
  const context = cursorContext(open.text, position, isMappingPath);
  if (!context) return [];
  return context.kind === 'key' ? keyItems(context) : valueItems(open, context, position);
}

function keyItems(ctx: KeyContext): CompletionItem[] {
  const items: CompletionItem[] = [];
  for (const [key, schema] of propertiesOf(ctx.path)) {
    if (ctx.siblings.includes(key)) continue;
    const childPath = [...ctx.path, key];
    const indent = ' '.repeat(ctx.column + 2);
    let insert = `${key}: `;
    if (ctx.hasColon) insert = key;
    else if (isMappingPath(childPath)) insert = `${key}:\n${indent}`;
    else if (schema.type === 'array' && isMappingPath([...childPath, 0])) insert = `${key}:\n${indent}- `;
    const offersValues = enumValuesOf(childPath).length > 0 || pathKeyOf(childPath) !== undefined;
    const doc = keyDocumentation(childPath);
    items.push({
      label: key,
      kind: isMappingPath(childPath) ? CompletionItemKind.Module : CompletionItemKind.Property,
      detail: typeLabel(schemaOf(childPath)),
      ...(doc ? { documentation: { kind: MarkupKind.Markdown, value: doc } } : {}),
      textEdit: { range: ctx.range, newText: insert },
      insertTextFormat: InsertTextFormat.PlainText,
      filterText: key,
      ...(offersValues && insert.endsWith(': ') ? { command: RETRIGGER } : {}),
    });
  }
  return items;
}

function matches(path: Path, pattern: readonly (string | number | null)[]): boolean {
  return path.length === pattern.length && pattern.every((p, i) => p === null || p === path[i]);
}

/** Config paths whose value is a column of the clinical CSV. */
const COLUMN_PATHS: readonly (readonly (string | number | null)[])[] = [
  ['dataset', 'label_columns', null],
  ['dataset', 'group_column'],
  ['dataset', 'id_column'],
  ['splits', 'generate', 'stratify', null],
  ['explain', 'umap', 'color_by'],
];

async function valueItems(open: OpenConfig, ctx: ValueContext, position: Position): Promise<CompletionItem[]> {
  const path = ctx.path;
  const raw = rawConfigOf(open);
  const items: CompletionItem[] = [];
  const add = (label: string, kind: CompletionItemKind, detail?: string) => {
    if (ctx.listed.includes(label)) return;
    items.push({ label, kind, ...(detail ? { detail } : {}), textEdit: { range: ctx.range, newText: label } });
  };

  if (matches(path, ['evaluation', 'fuse_models', null])) {
    const models = Array.isArray(raw?.models) ? (raw.models as Record<string, unknown>[]) : [];
    const families = new Set<string>();
    for (const m of models) {
      const name = typeof m?.name === 'string' ? m.name : typeof m?.path === 'string' ? basename(m.path).replace(/\.onnx$/i, '') : undefined;
      if (name) add(name, CompletionItemKind.Reference, `model${typeof m.family === 'string' ? ` (${m.family})` : ''}`);
      if (typeof m?.family === 'string') families.add(m.family);
    }
    for (const f of families) add(`family:${f}`, CompletionItemKind.Folder, `every ${f} model`);
    return items;
  }

  if (matches(path, ['models', null, 'region'])) {
    // The regions of `dataset.regions`, with the labels each covers.
    const regions = (raw?.dataset as Record<string, unknown> | undefined)?.regions;
    if (regions && typeof regions === 'object' && !Array.isArray(regions)) {
      for (const [name, value] of Object.entries(regions as Record<string, unknown>)) {
        const labels = Array.isArray(value) ? value : Array.isArray((value as { labels?: unknown })?.labels) ? (value as { labels: unknown[] }).labels : [];
        add(name, CompletionItemKind.EnumMember, `region, labels ${labels.join(', ')}`);
      }
    }
    return items;
  }

  if (COLUMN_PATHS.some((p) => matches(path, p))) {
    const labels = (raw?.dataset as Record<string, unknown> | undefined)?.labels;
    if (typeof labels === 'string') {
      const header = (await csvHeaderOf(resolve(dirname(open.file), labels))) ?? [];
      for (const column of header) add(column, CompletionItemKind.Field, `column of ${labels}`);
    }
    if (matches(path, ['explain', 'umap', 'color_by'])) add('split', CompletionItemKind.EnumMember, 'the split of each image');
    return items;
  }

  if (matches(path, ['models', null, 'output', 'name'])) {
    // The graph's outputs, from the model file the same entry's `path` names.
    const model = Array.isArray(raw?.models) ? (raw.models as Record<string, unknown>[])[path[1] as number] : undefined;
    const info = typeof model?.path === 'string' ? await modelInfoOf(resolve(dirname(open.file), model.path)) : undefined;
    if (info && !(info instanceof Error)) for (const t of info.outputs) add(t.name, CompletionItemKind.Value, `output ${formatTensorType(t)}`);
    return items;
  }

  const pathKey = pathKeyOf(path);
  if (pathKey) return pathItems(open, ctx, position, pathKey.kind === 'folder' ? [] : pathKey.extensions, pathKey.kind === 'folder');

  for (const v of enumValuesOf(path)) add(String(v), CompletionItemKind.EnumMember, typeLabel(schemaOf(path)));
  return items;
}

/** Entries of the folder typed so far, relative to the config file. */
async function pathItems(open: OpenConfig, ctx: ValueContext, position: Position, extensions: readonly string[] | undefined, foldersOnly: boolean): Promise<CompletionItem[]> {
  const typed = ctx.prefix;
  if (/[*?[\]{}]/.test(typed)) return []; // inside a glob or template: nothing literal to list
  const slash = typed.lastIndexOf('/');
  const folderPart = typed.slice(0, slash + 1);
  const namePart = typed.slice(slash + 1);
  const folder = resolve(dirname(open.file), folderPart || '.');
  let entries;
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch {
    return [];
  }
  const start = { line: ctx.range.start.line, character: ctx.range.start.character + folderPart.length };
  // Only the name being typed is replaced: the rest of a glob after the cursor stays.
  const range = { start, end: position };
  const items: CompletionItem[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.') && !namePart.startsWith('.')) continue;
    const isDir = e.isDirectory();
    if (!isDir && (foldersOnly || (extensions && !extensions.some((x) => e.name.toLowerCase().endsWith(x))))) continue;
    items.push({
      label: isDir ? `${e.name}/` : e.name,
      kind: isDir ? CompletionItemKind.Folder : CompletionItemKind.File,
      textEdit: { range, newText: isDir ? `${e.name}/` : e.name },
      sortText: `${isDir ? 0 : 1}${e.name}`,
      ...(isDir ? { command: RETRIGGER } : {}),
    });
    if (items.length >= 500) break; // a folder of 60,000 images: the first few hundred are enough to pick from
  }
  return items;
}
