/**
 * The one entry to the config: text → located findings and, when there is no error, the typed
 * config. Never throws on any text (a property test holds it to that).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isMap } from 'yaml';
import type { ConfigPath, Finding } from '../findings';
import { pushAll } from '../util/arrays';
import { sha256 } from '../util/hash';
import { lineAndColumnOf, surveyUtf8 } from '../util/utf8';
import { ConfigDocument } from './document';
import { validateAgainstSchema } from './schema';
import { schemaFindings } from './schemaFindings';
import { toTypedConfig } from './typed';
import type { MedsegConfig } from './types';

export interface ParsedConfig {
  document: ConfigDocument;
  /** Present when the config has no error finding. */
  config?: MedsegConfig;
  findings: Finding[];
}

export function parseConfig(text: string, file: string): ParsedConfig {
  const absolute = resolve(file);
  const document = new ConfigDocument(absolute, text);
  const findings: Finding[] = [];
  const place = (f: Finding): Finding =>
    f.configPath && !f.location?.range
      ? { ...f, location: { file: absolute, range: document.rangeOf(f.configPath, f.code === 'config/unknown-key' ? 'key' : 'value') } }
      : f;

  for (const e of document.yaml.errors) {
    findings.push({
      code: 'config/yaml-syntax',
      severity: 'error',
      message: `YAML: ${e.message.split('\n')[0]}`,
      location: { file: absolute, range: document.rangeOfOffsets(e.pos[0], Math.max(e.pos[1], e.pos[0] + 1)) },
    });
  }
  if (findings.length > 0) return { document, findings };

  let value: unknown;
  try {
    value = document.toJS();
  } catch (err) {
    // Alias bombs and similar: the text parsed but cannot become a value.
    findings.push({ code: 'config/yaml-syntax', severity: 'error', message: `YAML: ${(err as Error).message}`, location: { file: absolute, range: document.rangeOf([]) } });
    return { document, findings };
  }
  if (!isMap(document.yaml.contents) || value === null || typeof value !== 'object' || Array.isArray(value)) {
    findings.push({
      code: 'config/not-a-mapping',
      severity: 'error',
      message: 'The config must be a YAML mapping with at least `dataset` and `models` (see the example in the README).',
      location: { file: absolute, range: document.rangeOf([]) },
    });
    return { document, findings };
  }

  const schemaProblems = schemaFindings(validateAgainstSchema(value), document);
  pushAll(findings, schemaProblems);
  const schemaErrorPaths = schemaProblems.filter((f) => f.severity === 'error').map((f) => f.configPath ?? []);

  // The semantic checks still run beside schema errors (a typo elsewhere should not hide a
  // duplicate model name), but only their findings away from the broken nodes are kept.
  let typed: ReturnType<typeof toTypedConfig>;
  try {
    typed = toTypedConfig(value as Record<string, unknown>, absolute);
  } catch {
    return { document, findings };
  }
  const overlaps = (a: ConfigPath, b: ConfigPath) => a.every((s, i) => i >= b.length || b[i] === s) || b.every((s, i) => i >= a.length || a[i] === s);
  pushAll(findings, typed.findings.filter((f) => !schemaErrorPaths.some((p) => overlaps(p, f.configPath ?? []))).map(place));
  const ok = !findings.some((f) => f.severity === 'error');
  // The digest of the very text the run is configured from: shards record it, and a merge refuses shards of another config.
  if (ok && typed.config) typed.config.sourceSha256 = sha256(text);
  return { document, config: ok ? typed.config : undefined, findings };
}

/** Reads and parses a config file; an unreadable file is a finding, not an exception. */
export async function loadConfig(file: string): Promise<ParsedConfig> {
  const absolute = resolve(file);
  let bytes: Buffer;
  try {
    bytes = await readFile(absolute);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : (err as Error).message;
    const document = new ConfigDocument(absolute, '');
    return {
      document,
      findings: [{ code: 'config/unreadable', severity: 'error', message: `Config file ${absolute} ${reason}: check the path.`, location: { file: absolute } }],
    };
  }
  const parsed = parseConfig(bytes.toString('utf8'), absolute);
  const notUtf8 = notUtf8Finding(absolute, bytes);
  if (notUtf8) parsed.findings.unshift(notUtf8);
  return parsed;
}

/**
 * YAML is UTF-8; a config saved in another code page has its non-ASCII bytes read as U+FFFD.
 * Where that lands in a name or path, the user is told why it matches nothing.
 */
function notUtf8Finding(file: string, bytes: Buffer): Finding | undefined {
  const { invalidAt } = surveyUtf8(bytes);
  if (invalidAt < 0) return undefined;
  const { line } = lineAndColumnOf(bytes, invalidAt);
  const hex = `0x${bytes[invalidAt].toString(16).toUpperCase().padStart(2, '0')}`;
  return {
    code: 'config/not-utf8',
    severity: 'warning',
    message: `The config is not UTF-8: the byte ${hex} on line ${line + 1} is not valid UTF-8 and is read as \uFFFD, so a name or path holding it matches nothing. Save the file as UTF-8.`,
    location: { file, range: { start: { line, character: 0 }, end: { line, character: 0 } } },
  };
}
