/**
 * Workspace trust on the server's side. VS Code's Restricted Mode must hold even for a client
 * that does not check it itself: in an untrusted workspace no request runs a model, and nothing
 * is written outside the workspace folders (a config may point `runtime.cache` or a split file at
 * any absolute path). The client says `trusted: false` in its initialization options and sends
 * `medseg/workspaceTrusted` when the user trusts the workspace later.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LSPErrorCodes, ResponseError } from 'vscode-languageserver/node';
import { isWithinRoots } from './writableRoots';
import { UNTRUSTED_ERROR_CODE, type InitializationOptions } from '../protocol';

interface FolderParams {
  initializationOptions?: unknown;
  workspaceFolders?: { uri: string }[] | null;
  rootUri?: string | null;
}

export class WorkspaceTrust {
  private trusted = true;
  private folders: string[] = [];

  initialize(params: FolderParams): void {
    this.trusted = (params.initializationOptions as InitializationOptions | null | undefined)?.trusted !== false;
    const uris = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
    this.folders = uris.flatMap(filePathOf);
  }

  /** The user trusted the workspace; trust is never taken back while the server runs (VS Code reloads the window for that). */
  grant(): void {
    this.trusted = true;
  }

  changeFolders(added: readonly { uri: string }[], removed: readonly { uri: string }[]): void {
    const gone = new Set(removed.flatMap((f) => filePathOf(f.uri)));
    this.folders = [...this.folders.filter((f) => !gone.has(f)), ...added.flatMap((f) => filePathOf(f.uri))];
  }

  get isTrusted(): boolean {
    return this.trusted;
  }

  /** Folders that writes are confined to; undefined when trusted (anywhere the user chose). */
  writableRoots(): string[] | undefined {
    return this.trusted ? undefined : [...this.folders];
  }

  /** Refuses a request that runs a model. */
  requireTrust(what: string): void {
    if (this.trusted) return;
    throw new ResponseError(
      LSPErrorCodes.RequestFailed,
      `${what} runs models, which an untrusted workspace (Restricted Mode) does not allow: trust the workspace to run it. Diagnostics work without trust.`,
      { code: UNTRUSTED_ERROR_CODE },
    );
  }

  /** Refuses a write outside the workspace folders while untrusted. */
  requireWritable(path: string, what: string): void {
    const roots = this.writableRoots();
    if (!roots || isWithinRoots(path, roots)) return;
    throw new ResponseError(
      LSPErrorCodes.RequestFailed,
      `${what} would write ${path}, outside the workspace folders, which an untrusted workspace (Restricted Mode) does not allow: trust the workspace, or write inside it.`,
      { code: UNTRUSTED_ERROR_CODE },
    );
  }
}

function filePathOf(uri: string): string[] {
  try {
    return uri.startsWith('file:') ? [resolve(fileURLToPath(uri))] : [];
  } catch {
    return [];
  }
}

export { isWithinRoots };
