/**
 * Turns ajv's errors into findings a person can act on: one finding per problem, placed on the
 * offending node, with "did you mean" for misspelt keys.
 */
import type { ErrorObject } from 'ajv';
import { closest, distance } from 'fastest-levenshtein';
import type { ConfigPath, Finding } from '../findings';
import { SAFE_NAME_PATTERN, SAFE_NAME_RULE } from '../util/pathSegment';
import type { ConfigDocument } from './document';
import { derefSchema, type JsonSchema } from './schema';

export function pointerToPath(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

export function formatPath(path: ConfigPath): string {
  let out = '';
  for (const s of path) out += typeof s === 'number' ? `[${s}]` : out ? `.${s}` : s;
  return out || '(root)';
}

/** A suggestion among `candidates` close enough to `word` to be a typo, or undefined. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0) return undefined;
  const best = closest(word, [...candidates]);
  const d = distance(word.toLowerCase(), best.toLowerCase());
  // Allow about one edit per three letters, but never a suggestion as long as the word itself.
  return d <= Math.max(1, Math.floor(best.length / 3)) && d < best.length ? best : undefined;
}

function describeType(schema: JsonSchema | undefined): string {
  const s = derefSchema(schema);
  if (!s) return 'a value';
  if (s.oneOf) return s.oneOf.map(describeType).join(' or ');
  if (s.enum) {
    const values = s.enum.map((v) => `\`${String(v)}\``);
    return values.length === 1 ? values[0] : `one of ${values.join(', ')}`;
  }
  switch (s.type) {
    case 'array':
      return `a list of ${describeType(s.items).replace(/^an? /, '')}s`.replace(/ss$/, 's');
    case 'object':
      return 'a mapping';
    case 'integer':
      return 'an integer';
    case 'number':
      return 'a number';
    case 'string':
      return 'a string';
    case 'boolean':
      return 'true or false';
    default:
      return 'a value';
  }
}

/** A description's first sentence, lower-cased at the start, to follow "add it" (`Models to evaluate: …` → `models to evaluate`). */
function firstSentence(description: string | undefined): string | undefined {
  const first = description?.split(/(?<=[.:;])\s/)[0]?.replace(/[.:;]$/, '').trim();
  if (!first) return undefined;
  return first[0].toLowerCase() + first.slice(1);
}

function shown(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  const text = typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

export function schemaFindings(errors: readonly ErrorObject[], doc: ConfigDocument): Finding[] {
  // A failed oneOf also reports every branch's error; keep only the oneOf's own, clearer message.
  const oneOfPaths = errors.filter((e) => e.keyword === 'oneOf').map((e) => e.schemaPath.replace(/\/oneOf$/, '/oneOf/'));
  const kept = errors.filter((e) => e.keyword === 'oneOf' || !oneOfPaths.some((p) => e.schemaPath.startsWith(p)));
  const seen = new Set<string>();
  const findings: Finding[] = [];
  for (const e of kept) {
    const finding = toFinding(e, doc);
    const key = `${finding.code}|${finding.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    findings.push(finding);
  }
  return foldMisspeltRequiredKeys(findings);
}

const ADD_IT = ': add it.';

const samePath = (a: ConfigPath, b: ConfigPath) => a.length === b.length && a.every((s, i) => s === b[i]);

/**
 * `modles:` makes two findings of one cause: the unknown key and the missing `models`. The typo is
 * the cause, so it alone is reported, as the error, saying what it breaks; its quick fix repairs
 * both. A missing key with no near-miss beside it stays a finding of its own.
 */
function foldMisspeltRequiredKeys(findings: Finding[]): Finding[] {
  const folded = new Set<Finding>();
  const out = findings.map((f) => {
    if (f.code !== 'config/unknown-key' || !f.configPath || !f.fix?.key) return f;
    const parent = f.configPath.slice(0, -1);
    const missing = findings.find((m) => m.code === 'config/missing-key' && !folded.has(m) && samePath(m.configPath ?? [], parent) && m.fix?.missingKey === f.fix?.replacement);
    if (!missing) return f;
    folded.add(missing);
    return { ...f, severity: 'error' as const, message: `${f.message} ${missing.message.slice(0, -ADD_IT.length)}.` };
  });
  return out.filter((f) => !folded.has(f));
}

function toFinding(e: ErrorObject, doc: ConfigDocument): Finding {
  const path = pointerToPath(e.instancePath);
  const where = formatPath(path);
  const located = (configPath: ConfigPath, part: 'key' | 'value' = 'value') => ({
    configPath,
    location: { file: doc.file, range: doc.rangeOf(configPath, part) },
  });
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      const allowed = Object.keys((e.parentSchema as JsonSchema | undefined)?.properties ?? {});
      const suggestion = didYouMean(key, allowed);
      const keyPath = [...path, key];
      const inWhat = path.length ? ` in \`${where}\`` : '';
      return {
        code: 'config/unknown-key',
        severity: 'warning',
        message: suggestion
          ? `Unknown key \`${key}\`${inWhat}: did you mean \`${suggestion}\`?`
          : `Unknown key \`${key}\`${inWhat}; allowed: ${allowed.map((k) => `\`${k}\``).join(', ')}.`,
        ...located(keyPath, 'key'),
        fix: suggestion ? { replacement: suggestion, key } : undefined,
      };
    }
    case 'required': {
      const missing = String((e.params as { missingProperty: string }).missingProperty);
      const purpose = firstSentence(derefSchema((e.parentSchema as JsonSchema | undefined)?.properties?.[missing])?.description);
      // Placed on the head of the mapping that lacks the key (its first line, or its key), never
      // across the whole mapping: one missing section must not paint the file red.
      return {
        code: 'config/missing-key',
        severity: 'error',
        message: `${path.length === 0 ? 'The config' : `\`${where}\``} needs \`${missing}\`${purpose ? ` (${purpose})` : ''}${ADD_IT}`,
        configPath: path,
        location: { file: doc.file, range: doc.headRangeOf(path) },
        // Not a text edit: it names the missing key, so a misspelling of it can be folded in.
        fix: { missingKey: missing },
      };
    }
    case 'type':
    case 'oneOf':
    case 'enum': {
      const value = e.data;
      const suggestion =
        e.keyword === 'enum' && typeof value === 'string'
          ? didYouMean(value, ((e.parentSchema as JsonSchema).enum ?? []).map(String))
          : undefined;
      return {
        code: 'config/wrong-type',
        severity: 'error',
        message:
          `\`${where}\` must be ${describeType(e.parentSchema as JsonSchema)}, not ${shown(value)}.` +
          (suggestion ? ` Did you mean \`${suggestion}\`?` : ''),
        ...located(path),
        fix: suggestion ? { replacement: suggestion } : undefined,
      };
    }
    case 'pattern':
      // The folder-name rule of `name` and `models[].name` gets its own code and says what is allowed.
      if ((e.params as { pattern: string }).pattern === SAFE_NAME_PATTERN) {
        return { code: 'config/unsafe-name', severity: 'error', message: `\`${where}\` is not usable as a folder name (got ${shown(e.data)}): use ${SAFE_NAME_RULE}.`, ...located(path) };
      }
      return { code: 'config/invalid-value', severity: 'error', message: `\`${where}\` ${e.message ?? 'is invalid'} (got ${shown(e.data)}).`, ...located(path) };
    default:
      return {
        code: 'config/invalid-value',
        severity: 'error',
        message: `\`${where}\` ${e.message ?? 'is invalid'} (got ${shown(e.data)}).`,
        ...located(path),
      };
  }
}
