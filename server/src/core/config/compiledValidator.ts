/**
 * The config schema's validator. The bundles never run this file: scripts/build.mjs puts ajv's
 * standalone code for the same schema and options in its place (scripts/lib/schemaValidator.mjs),
 * so the language server and the CLI do not compile the schema when they start. Run from the
 * sources (tests, tsx), it compiles the schema here. One source of truth either way: the schema
 * file and ajvOptions.json.
 */
import Ajv, { type ValidateFunction } from 'ajv';
import schemaJson from '../../../../schemas/medseg.schema.json';
import options from './ajvOptions.json';

export const validate: ValidateFunction = new Ajv(options).compile(schemaJson);

/** True in the bundles (the build's standalone code), false here. */
export const PRECOMPILED: boolean = false;
