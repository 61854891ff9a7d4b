/**
 * extensionTestsPath entry: `run()` is what VS Code calls, in a real extension host, under
 * code-server (test/vscode/run.mjs) or @vscode/test-electron (test/vscode/electron.mjs).
 */
import './walkthrough.tests';
import './extension.tests';
import './newUser.tests';
import { runAll } from './runner';

export function run(): Promise<void> {
  return runAll();
}
