/**
 * The config's JSON Schema (also served to editors for hover and completion) and its compiled
 * validator. Defaults live in the schema only, so documentation and behaviour cannot disagree.
 */
import type { ErrorObject } from 'ajv';
import schemaJson from '../../../../schemas/medseg.schema.json';
import { validate } from './compiledValidator';

export const configSchema = schemaJson as unknown as JsonSchema;

export interface JsonSchema {
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: unknown[];
  oneOf?: JsonSchema[];
  default?: unknown;
  required?: string[];
  $ref?: string;
  definitions?: Record<string, JsonSchema>;
  minimum?: number;
  maximum?: number;
}

/** Validates (and fills defaults into) `value` in place; returns ajv's errors. */
export function validateAgainstSchema(value: unknown): ErrorObject[] {
  return validate(value) ? [] : [...(validate.errors ?? [])];
}

/** Follows `$ref`s of the form `#/definitions/x`. */
export function derefSchema(schema: JsonSchema | undefined): JsonSchema | undefined {
  let s = schema;
  for (let i = 0; s?.$ref && i < 10; i++) {
    const name = s.$ref.replace('#/definitions/', '');
    s = configSchema.definitions?.[name];
  }
  return s;
}

/** The schema of the node at a config path (for hover, completion and messages). */
export function schemaAt(path: readonly (string | number)[]): JsonSchema | undefined {
  let s: JsonSchema | undefined = configSchema;
  for (const segment of path) {
    s = derefSchema(s);
    if (!s) return undefined;
    if (typeof segment === 'number') s = s.items;
    else s = s.properties?.[segment] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
  }
  return derefSchema(s);
}
