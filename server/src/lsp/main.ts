/**
 * The MedSeg language server: `node dist/server.js --stdio` (or IPC from the VS Code client).
 * A thin layer over server/src/core: documents in, engine findings out as diagnostics, editing
 * help from the config schema, and requests that run the engine in worker threads.
 */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

const connection = createConnection(ProposedFeatures.all);

// One failing piece of work must not end the session: log it and keep serving.
process.on('uncaughtException', (err) => connection.console.error(`medseg: uncaught: ${err.stack ?? err.message}`));
process.on('unhandledRejection', (err) => connection.console.error(`medseg: unhandled rejection: ${(err as Error)?.stack ?? String(err)}`));

startServer(connection);
connection.listen();
