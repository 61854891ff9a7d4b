/** Files the extension ships in dist/. */
import type * as vscode from 'vscode';

/** dist/<name>.js: `cli` (the medseg CLI), `demo` (the example workspace writer), `server`. */
export function nodeScriptPath(context: vscode.ExtensionContext, name: 'cli' | 'demo' | 'server'): string {
  return context.asAbsolutePath(`dist/${name}.js`);
}
