/**
 * Quick fixes: a misspelt key or value replaced by its suggestion, a missing folder created, a
 * `group_column` added when the CSV has a patient-like column, and a stratified group split
 * generated (the CSV is written when the action is chosen, in `resolve`).
 */
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { isMap } from 'yaml';
import { CodeActionKind, type CodeAction, type CodeActionParams, type Diagnostic, type Range, type WorkspaceEdit } from 'vscode-languageserver/node';
import { rawConfigOf, type OpenConfig } from '../documents';
import type { DiagnosticData } from '../diagnostics';
import { removeKeyEdit, replacePairEdit, setKeyEdits, type TextEdit } from '../yaml';
import { csvHeaderOf } from './fileFacts';
import { literalPrefix, pathKeyOf } from './pathKeys';

import { CREATE_FOLDER_COMMAND, GENERATE_SPLIT_COMMAND } from './commandIds';

export { CREATE_FOLDER_COMMAND, GENERATE_SPLIT_COMMAND };

/** What `codeAction/resolve` needs to finish a lazily computed action. */
export interface GenerateSplitActionData {
  action: 'generate-split';
  uri: string;
}

/** Column names that identify a patient (or another grouping of images that must stay together). */
const PATIENT_LIKE = /^(patient|patient[_ -]?id|subject|subject[_ -]?id|participant|participant[_ -]?id|person[_ -]?id|mrn|case[_ -]?id|group|group[_ -]?id|lesion[_ -]?id)$/i;
const PATIENT_HINT = /patient|subject|participant|mrn/i;

export function patientLikeColumn(header: readonly string[], idColumn: string): string | undefined {
  const candidates = header.filter((c) => c !== idColumn);
  return candidates.find((c) => PATIENT_LIKE.test(c.trim())) ?? candidates.find((c) => PATIENT_HINT.test(c));
}

/** A YAML scalar for a path or name: plain when that reads back as the same string, else quoted. */
export function yamlScalar(s: string): string {
  return /^[A-Za-z0-9_./][A-Za-z0-9_./ -]*$/.test(s) && !s.endsWith(' ') && !/^(true|false|null|yes|no|~|[0-9.]+)$/i.test(s) ? s : JSON.stringify(s);
}

function overlaps(a: Range, b: Range): boolean {
  return !(a.end.line < b.start.line || b.end.line < a.start.line);
}

function edit(uri: string, edits: TextEdit[]): WorkspaceEdit {
  return { changes: { [uri]: edits } };
}

/** The split file to write: `splits.csv` beside the config, or the first free `splits-N.csv`. */
export function freeSplitFile(configFile: string): string {
  const dir = dirname(configFile);
  for (let n = 1; ; n++) {
    const name = n === 1 ? 'splits.csv' : `splits-${n}.csv`;
    if (!existsSync(join(dir, name))) return join(dir, name);
  }
}

/** Edits that make `splits.file` name `relPath` (replacing a `generate` block, which cannot stand beside it). */
export function pointSplitsAtEdits(open: OpenConfig, relPath: string): TextEdit[] {
  const doc = open.parsed.document;
  const splits = doc.yaml.get('splits', true);
  const value = yamlScalar(relPath);
  if (isMap(splits) && splits.has('generate')) {
    if (!splits.has('file')) {
      const replaced = replacePairEdit(doc, ['splits'], 'generate', `file: ${value}`);
      if (replaced) return [replaced];
    } else {
      const removed = removeKeyEdit(doc, ['splits'], 'generate');
      return [...setKeyEdits(doc, ['splits'], 'file', value), ...(removed ? [removed] : [])];
    }
  }
  return setKeyEdits(doc, ['splits'], 'file', value);
}

export interface CodeActionOptions {
  /** The client resolves `edit` lazily (codeAction/resolve): the split is written only when chosen. */
  resolveEdits: boolean;
}

export async function configCodeActions(open: OpenConfig, params: CodeActionParams, options: CodeActionOptions): Promise<CodeAction[]> {
  const actions: CodeAction[] = [];
  const uri = open.uri;
  const doc = open.parsed.document;
  const diagnostics = params.context.diagnostics.filter((d) => d.source === 'medseg');
  const splitDiagnostics: Diagnostic[] = [];

  for (const d of diagnostics) {
    const data = (d.data ?? {}) as DiagnosticData;
    const fix = data.fix ?? {};
    if (typeof fix.replacement === 'string') {
      const isKey = d.code === 'config/unknown-key';
      const from = isKey && typeof fix.key === 'string' ? `\`${fix.key}\` ` : '';
      actions.push({
        title: `Change ${from}to \`${fix.replacement}\``,
        kind: CodeActionKind.QuickFix,
        diagnostics: [d],
        isPreferred: true,
        edit: edit(uri, [{ range: d.range, newText: fix.replacement }]),
      });
    }
    if (fix.action === 'generate-split' || String(d.code).startsWith('split/')) splitDiagnostics.push(d);
    const folder = missingFolderOf(open, data.configPath);
    if (folder && !actions.some((a) => a.command?.arguments?.[0]?.folder === folder)) {
      actions.push({
        title: `Create folder \`${relative(dirname(open.file), folder) || folder}\``,
        kind: CodeActionKind.QuickFix,
        diagnostics: [d],
        command: { title: 'Create folder', command: CREATE_FOLDER_COMMAND, arguments: [{ uri, folder }] },
      });
    }
  }

  const root = doc.yaml.contents;
  const rangeOfKey = (key: string): Range | undefined => (isMap(root) && root.has(key) ? doc.rangeOf([key]) : undefined);
  const splitsRange = rangeOfKey('splits');
  const datasetRange = rangeOfKey('dataset');
  const wantsSplit = splitDiagnostics.length > 0 || !splitsRange || overlaps(params.range, { start: doc.rangeOf(['splits'], 'key').start, end: splitsRange.end });
  if (open.parsed.config && wantsSplit) {
    const action: CodeAction = {
      title: 'Generate a stratified group split (writes a split CSV and sets `splits.file`)',
      kind: CodeActionKind.QuickFix,
      ...(splitDiagnostics.length > 0 ? { diagnostics: splitDiagnostics } : {}),
    };
    if (options.resolveEdits) action.data = { action: 'generate-split', uri } satisfies GenerateSplitActionData;
    else action.command = { title: 'Generate split', command: GENERATE_SPLIT_COMMAND, arguments: [{ uri }] };
    actions.push(action);
  }

  const group = await groupColumnAction(open, params.range, datasetRange, splitDiagnostics);
  if (group) actions.push(group);
  return actions;
}

/** A folder named by a path key (or the folder a file or glob lives in) that does not exist. */
function missingFolderOf(open: OpenConfig, configPath: readonly (string | number)[] | undefined): string | undefined {
  if (!configPath) return undefined;
  const key = pathKeyOf(configPath);
  if (!key) return undefined;
  const value = open.parsed.document.yaml.getIn(configPath);
  if (typeof value !== 'string' || value === '') return undefined;
  const dir = dirname(open.file);
  const literal = literalPrefix(value);
  const folderText = key.kind === 'folder' && literal === value ? value : key.kind === 'file' ? dirname(value) : literal;
  if (!folderText || folderText === '.' || /\{|\*/.test(folderText)) return undefined;
  const folder = resolve(dir, folderText);
  return existsSync(folder) ? undefined : folder;
}

async function groupColumnAction(open: OpenConfig, range: Range, datasetRange: Range | undefined, splitDiagnostics: Diagnostic[]): Promise<CodeAction | undefined> {
  const dataset = rawConfigOf(open)?.dataset as Record<string, unknown> | undefined;
  if (!dataset || typeof dataset.labels !== 'string' || dataset.group_column !== undefined || !datasetRange) return undefined;
  const inDataset = overlaps(range, { start: open.parsed.document.rangeOf(['dataset'], 'key').start, end: datasetRange.end });
  if (!inDataset && splitDiagnostics.length === 0) return undefined;
  const header = (await csvHeaderOf(resolve(dirname(open.file), dataset.labels))) ?? [];
  const column = patientLikeColumn(header, typeof dataset.id_column === 'string' ? dataset.id_column : 'image_id');
  if (!column) return undefined;
  const edits = setKeyEdits(open.parsed.document, ['dataset'], 'group_column', yamlScalar(column), ['labels', 'id_column']);
  if (edits.length === 0) return undefined;
  return {
    title: `Add \`group_column: ${column}\` (keep each patient's images in one split)`,
    kind: CodeActionKind.QuickFix,
    ...(splitDiagnostics.length > 0 ? { diagnostics: splitDiagnostics } : {}),
    edit: edit(open.uri, edits),
  };
}
