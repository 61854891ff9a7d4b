/**
 * The MedSeg language server: `node dist/server.js --stdio` (or IPC from the VS Code client).
 * A thin layer: documents in, engine findings out as diagnostics. The engine does the work.
 */
import { fileURLToPath } from 'node:url';
import { createConnection, ProposedFeatures, TextDocuments, TextDocumentSyncKind } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { toDiagnostics } from './diagnostics';
import { validateExperiment } from '../core/validate';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const pending = new Map<string, { timer: NodeJS.Timeout; controller: AbortController }>();
const DEBOUNCE_MS = 150;

connection.onInitialize(() => ({
  capabilities: { textDocumentSync: TextDocumentSyncKind.Incremental },
  serverInfo: { name: 'medseg-eval' },
}));

function schedule(doc: TextDocument): void {
  const previous = pending.get(doc.uri);
  if (previous) {
    clearTimeout(previous.timer);
    previous.controller.abort(); // a newer edit makes older work pointless
  }
  const controller = new AbortController();
  const timer = setTimeout(() => void publish(doc, controller.signal), DEBOUNCE_MS);
  pending.set(doc.uri, { timer, controller });
}

async function publish(doc: TextDocument, signal: AbortSignal): Promise<void> {
  if (!doc.uri.startsWith('file:')) return;
  const file = fileURLToPath(doc.uri);
  try {
    const result = await validateExperiment(file, { text: doc.getText(), signal });
    if (signal.aborted) return;
    connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics: toDiagnostics(result.findings, file, (f) => (f.configPath ? result.parsed.document.rangeOf(f.configPath) : undefined)) });
  } catch (err) {
    if (!signal.aborted) connection.console.error(`medseg: validating ${file} failed: ${(err as Error).stack ?? err}`);
  }
}

documents.onDidOpen((e) => schedule(e.document));
documents.onDidChangeContent((e) => schedule(e.document));
documents.onDidClose((e) => {
  pending.get(e.document.uri)?.controller.abort();
  pending.delete(e.document.uri);
  connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
});

documents.listen(connection);
connection.listen();
