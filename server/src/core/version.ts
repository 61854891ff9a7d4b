import pkg from '../../../package.json';

/** The engine version written into every summary.json and report. */
export const ENGINE_VERSION: string = pkg.version;

declare const MEDSEG_BUILD_ID: string | undefined;

/**
 * Which build of the engine runs: a digest of the sources and locked dependencies that
 * scripts/build.mjs writes into the bundles; `source-<version>` when run from the TypeScript
 * sources (tests, tsx). Shards record it so that a merge never mixes numbers of two builds.
 */
export const ENGINE_BUILD: string = typeof MEDSEG_BUILD_ID === 'string' ? MEDSEG_BUILD_ID : `source-${ENGINE_VERSION}`;
