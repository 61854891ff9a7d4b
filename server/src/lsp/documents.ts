/**
 * The open config documents, each parsed once per version: completion, hover, links, lenses and
 * diagnostics all read the same `ParsedConfig`.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { parseConfig, type ParsedConfig } from '../core/config';

export interface OpenConfig {
  uri: string;
  file: string;
  version: number;
  text: string;
  parsed: ParsedConfig;
}

const rawValues = new WeakMap<OpenConfig, Record<string, unknown> | undefined>();

/** The config as a plain value, even when it has errors (completion must work on broken configs). */
export function rawConfigOf(open: OpenConfig): Record<string, unknown> | undefined {
  if (rawValues.has(open)) return rawValues.get(open);
  let value: Record<string, unknown> | undefined;
  try {
    const v = open.parsed.document.toJS();
    value = v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    value = undefined;
  }
  rawValues.set(open, value);
  return value;
}

export function fileOfUri(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

export class ConfigDocuments {
  private readonly cache = new Map<string, OpenConfig>();

  constructor(readonly documents: TextDocuments<TextDocument>) {}

  /** The parsed config of an open `file:` document, or undefined. */
  get(uri: string): OpenConfig | undefined {
    const doc = this.documents.get(uri);
    const file = fileOfUri(uri);
    if (!doc || !file) return undefined;
    const cached = this.cache.get(uri);
    if (cached && cached.version === doc.version) return cached;
    const text = doc.getText();
    const entry: OpenConfig = { uri, file, version: doc.version, text, parsed: parseConfig(text, file) };
    this.cache.set(uri, entry);
    return entry;
  }

  /** The open buffer's text, else the file on disk (requests may name a config that is not open). */
  async textOf(uri: string): Promise<{ file: string; text: string } | undefined> {
    const open = this.get(uri);
    if (open) return { file: open.file, text: open.text };
    const file = fileOfUri(uri);
    if (!file) return undefined;
    try {
      return { file, text: await readFile(file, 'utf8') };
    } catch {
      return undefined;
    }
  }

  forget(uri: string): void {
    this.cache.delete(uri);
  }
}
