export * from './types';
export { ConfigDocument } from './document';
export { loadConfig, parseConfig, type ParsedConfig } from './load';
export { configSchema, schemaAt, derefSchema, type JsonSchema } from './schema';
export { didYouMean, formatPath } from './schemaFindings';
export { configNameFromFile } from './typed';
