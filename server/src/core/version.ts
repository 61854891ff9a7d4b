import pkg from '../../../package.json';

/** The engine version written into every summary.json and report. */
export const ENGINE_VERSION: string = pkg.version;
