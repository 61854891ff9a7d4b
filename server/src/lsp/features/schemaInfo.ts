/** Questions completion and hover ask the config schema (schemas/medseg.schema.json). */
import { derefSchema, formatPath, schemaAt, type JsonSchema } from '../../core/config';

type Path = readonly (string | number)[];

/** Schema of a path; list items are addressed by any index. */
export function schemaOf(path: Path): JsonSchema | undefined {
  return schemaAt(path);
}

function branches(s: JsonSchema | undefined): JsonSchema[] {
  const d = derefSchema(s);
  if (!d) return [];
  return d.oneOf ? d.oneOf.flatMap((b) => branches(b)) : [d];
}

export function isMappingPath(path: Path): boolean {
  return branches(schemaOf(path)).some((b) => b.type === 'object' || b.properties !== undefined);
}

/** Keys a mapping may hold, in schema order. */
export function propertiesOf(path: Path): [string, JsonSchema][] {
  const out = new Map<string, JsonSchema>();
  for (const b of branches(schemaOf(path))) for (const [k, v] of Object.entries(b.properties ?? {})) if (!out.has(k)) out.set(k, v);
  return [...out];
}

export function enumValuesOf(path: Path): unknown[] {
  const values: unknown[] = [];
  for (const b of branches(schemaOf(path))) {
    for (const v of b.enum ?? []) if (!values.includes(v)) values.push(v);
    if (b.type === 'boolean') values.push(true, false);
  }
  return values;
}

export function typeLabel(s: JsonSchema | undefined): string {
  const parts = branches(s).map((b) => {
    if (b.enum) return b.enum.map((v) => JSON.stringify(v)).join(' | ');
    if (b.type === 'array') return `list of ${typeLabel(b.items)}`;
    if (b.type === 'object') return 'mapping';
    return Array.isArray(b.type) ? b.type.join(' | ') : (b.type ?? 'value');
  });
  return [...new Set(parts)].join(' | ') || 'value';
}

/** Markdown documentation of a key: its description, type, default and allowed values. */
export function keyDocumentation(path: Path): string | undefined {
  // A list item (`label_columns[1]`) is documented by its list.
  let p = [...path];
  let s = schemaOf(p);
  while (p.length > 0 && typeof p[p.length - 1] === 'number' && !derefSchema(s)?.description) {
    p = p.slice(0, -1);
    s = schemaOf(p);
  }
  const d = derefSchema(s);
  if (!d) return undefined;
  const lines = [`**\`${formatPath(p)}\`** · ${typeLabel(d)}`];
  if (d.description) lines.push('', d.description);
  if (d.default !== undefined && !(typeof d.default === 'object' && d.default !== null && Object.keys(d.default).length === 0)) {
    lines.push('', `Default: \`${JSON.stringify(d.default)}\``);
  }
  return lines.join('\n');
}
