/**
 * The extension in a real VS Code: activation, diagnostics from the language server, an
 * evaluation through the command, the preview custom editor and the dashboard webviews (both
 * must post "rendered"), escaping of hostile file names, and a restart after a server crash.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { State } from 'vscode-languageclient/node';
import type { EvaluateResult } from '../../../server/src/protocol';
import stressFixture from '../../fixtures/stress/stress.json';
import { dermoscopyConfig, demoRoot, EXTENSION_ID, medsegApi, quietWorkbench, state } from './context';
import { requestScreenshot } from './io';
import { log, test } from './runner';
import { nextEvent, waitFor } from './wait';

const COMMANDS = [
  'medseg.evaluate',
  'medseg.validate',
  'medseg.proposeSplit',
  'medseg.openPreview',
  'medseg.openDashboard',
  'medseg.showUmap',
  'medseg.showGradcam',
  'medseg.stressTest',
  'medseg.exportReport',
  'medseg.selectProvider',
  'medseg.createExampleWorkspace',
];

function codeOf(d: vscode.Diagnostic): string | undefined {
  return d.code === undefined ? undefined : typeof d.code === 'object' ? String(d.code.value) : String(d.code);
}

test('the extension activates and contributes its commands and language', async () => {
  const api = await medsegApi();
  assert.ok(vscode.extensions.getExtension(EXTENSION_ID)?.isActive, 'extension is active');
  assert.equal(api.server.languageClient.state, State.Running);
  const commands = await vscode.commands.getCommands(true);
  for (const c of COMMANDS) assert.ok(commands.includes(c), `command ${c} is registered`);
  assert.ok((await vscode.languages.getLanguages()).includes('medseg'), 'language medseg is contributed');
  assert.match(api.statusBarText(), /MedSeg/);
  // Which copy runs: the repository (development) or the installed VSIX with its own natives.
  const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
  const expected = process.env.MEDSEG_TEST_EXTENSION;
  const fromSources = existsSync(join(ext.extensionPath, 'client', 'src'));
  log(`    extension from ${ext.extensionPath}`);
  if (expected === 'installed') {
    assert.ok(!fromSources, 'the installed VSIX runs, not the repository');
    for (const native of ['onnxruntime-node', 'sharp']) assert.ok(existsSync(join(ext.extensionPath, 'node_modules', native, 'package.json')), `the VSIX ships ${native}`);
    assert.ok(!existsSync(join(ext.extensionPath, 'test')) && !existsSync(join(ext.extensionPath, 'client')), 'the VSIX has no test/ or sources');
    // The license package.json names, and the icon the Extensions view shows (a PNG drawn from media/icon.svg).
    assert.match(readFileSync(join(ext.extensionPath, 'LICENSE.txt'), 'utf8'), /^MIT License/);
    const icon = readFileSync(join(ext.extensionPath, (ext.packageJSON as { icon: string }).icon));
    assert.deepEqual([...icon.subarray(1, 4)].map((b) => String.fromCharCode(b)).join(''), 'PNG', 'the icon is a PNG');
    assert.equal(icon.readUInt32BE(16), 256, 'the icon is 256 px wide');
  } else if (expected === 'development') assert.ok(fromSources, 'the repository runs as the development extension');
});

test('diagnostics for the planted patient leak appear in languages.getDiagnostics', async () => {
  const config = dermoscopyConfig();
  const doc = await vscode.workspace.openTextDocument(config);
  assert.equal(doc.languageId, 'medseg');
  await vscode.window.showTextDocument(doc);
  const leak = await waitFor(
    () => vscode.languages.getDiagnostics(config).find((d) => codeOf(d) === 'split/patient-leak'),
    'a split/patient-leak diagnostic',
    90_000,
  );
  log(`    leak: line ${leak.range.start.line + 1}: ${leak.message.slice(0, 120)}`);
  assert.match(leak.message, /IP_0001555/, 'the leak names the planted patient');
  assert.ok(leak.severity <= vscode.DiagnosticSeverity.Warning, 'a leak is at least a warning');
  // The clean split of the same data has no leak.
  const clean = dermoscopyConfig(true);
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(clean), { preview: false });
  await waitFor(() => vscode.languages.getDiagnostics(clean).length > 0 || undefined, 'diagnostics of the clean config', 90_000).catch(() => undefined);
  assert.equal(vscode.languages.getDiagnostics(clean).filter((d) => codeOf(d) === 'split/patient-leak').length, 0);
}, 200_000);

test('Run Evaluation on the demo config writes results (summary.json)', async () => {
  const api = await medsegApi();
  const config = dermoscopyConfig();
  const result = await vscode.commands.executeCommand<EvaluateResult | undefined>('medseg.evaluate', { uri: config.toString(), split: 'test' });
  assert.ok(result, 'the command returns the evaluation result');
  log(`    ${result.images} images, provider ${result.provider}, methods ${Object.keys(result.methods).join(', ')}`);
  assert.ok(result.images > 0);
  assert.ok(existsSync(join(result.outputDir, 'summary.json')), `summary.json in ${result.outputDir}`);
  assert.ok(existsSync(join(result.outputDir, 'per_image.csv')), 'per_image.csv');
  const summary = JSON.parse(readFileSync(join(result.outputDir, 'summary.json'), 'utf8')) as { images: number; methods: Record<string, unknown> };
  assert.equal(summary.images, result.images);
  for (const model of ['tii-sharp', 'tii-over', 'lmi-under', 'lmi-smallmiss']) assert.ok(model in summary.methods, `summary has ${model}`);
  if (result.provider) assert.match(api.statusBarText(), new RegExp(result.provider, 'i'), 'the status bar shows the provider used');
  state.outputDir = result.outputDir;
}, 240_000);

test('the preview custom editor opens a demo image and posts "rendered" with its layers', async () => {
  const api = await medsegApi();
  const config = dermoscopyConfig();
  const images = await api.server.images({ uri: config.toString(), split: 'test' });
  assert.ok(images.images.length > 0, 'the test split has images');
  const entry = images.images[0];
  const uri = vscode.Uri.file(entry.image);
  const rendered = nextEvent(api.onPreviewRendered, (e) => e.resource === uri.toString(), `the preview of ${entry.id}`, 90_000);
  await vscode.commands.executeCommand('vscode.openWith', uri, 'medseg.preview');
  const info = await rendered;
  log(`    ${info.imageId}: ${info.layers.map((l) => `${l.id}${l.visible ? '' : ' (hidden)'}`).join(', ')}`);
  assert.equal(info.imageId, entry.id);
  const kinds = new Set(info.layers.map((l) => l.kind));
  for (const kind of ['image', 'reference', 'prediction', 'errors'] as const) assert.ok(kinds.has(kind), `a ${kind} layer`);
  assert.ok(info.layers.some((l) => l.kind === 'errors' && l.visible), 'an error map is shown');
  await vscode.commands.executeCommand('workbench.action.closeOtherEditors');
  await quietWorkbench();
  await new Promise((r) => setTimeout(r, 800));
  await requestScreenshot('preview');
}, 120_000);

test('a NIfTI volume opens in the preview at its middle slice with its reference', async () => {
  const api = await medsegApi();
  const uri = vscode.Uri.joinPath(demoRoot(), 'ct', 'case_00000', 'imaging.nii.gz');
  const rendered = nextEvent(api.onPreviewRendered, (e) => e.resource === uri.toString(), 'the preview of a CT volume', 60_000);
  await vscode.commands.executeCommand('vscode.openWith', uri, 'medseg.preview');
  const info = await rendered;
  log(`    ${info.imageId} slice ${info.slice}: ${info.layers.map((l) => l.id).join(', ')}`);
  assert.match(info.imageId, /^case_00000\b/);
  assert.ok(info.slice > 0, 'a middle slice of the volume');
  const kinds = info.layers.map((l) => l.kind);
  assert.ok(kinds.includes('image') && kinds.includes('reference'), kinds.join(', '));
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
}, 90_000);

test('a hostile file name is shown as text, never as markup', async () => {
  const api = await medsegApi();
  const name = '<img src=x onerror=alert(1)>.png';
  const root = demoRoot().fsPath;
  const someMask = readdirSync(join(root, 'dermoscopy', 'masks'))[0];
  copyFileSync(join(root, 'dermoscopy', 'masks', someMask), join(root, name));
  const uri = vscode.Uri.file(join(root, name));
  const rendered = nextEvent(api.onPreviewRendered, (e) => e.resource === uri.toString(), 'the preview of the hostile file', 60_000);
  await vscode.commands.executeCommand('vscode.openWith', uri, 'medseg.preview');
  const info = await rendered;
  assert.equal(info.title, name, 'the title element holds the file name as text');
  assert.deepEqual(
    info.layers.map((l) => l.label),
    [name],
  );
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  rmSync(join(root, name), { force: true }); // the later screenshots show the workspace as the demo wrote it
}, 90_000);

test('the results dashboard draws the evaluation with the report views', async () => {
  const api = await medsegApi();
  const config = dermoscopyConfig();
  assert.ok(state.outputDir, 'an evaluation ran before');
  const rendered = nextEvent(api.onDashboardRendered, (e) => e.config === config.toString() && e.sections.length > 0, 'the dashboard', 60_000);
  await vscode.commands.executeCommand('medseg.openDashboard', { uri: config.toString() });
  const info = await rendered;
  log(`    sections: ${info.sections.join(', ')}`);
  for (const section of ['summary', 'boxplot']) assert.ok(info.sections.includes(section), `section ${section}`);
  await vscode.commands.executeCommand('workbench.action.closeOtherEditors');
  await quietWorkbench();
  await new Promise((r) => setTimeout(r, 1200));
  await requestScreenshot('dashboard', { height: 1500 });
}, 90_000);

test('the dashboard draws the stress section once stress.json is in the results folder', async () => {
  const api = await medsegApi();
  const config = dermoscopyConfig();
  assert.ok(state.outputDir, 'an evaluation ran before');
  const file = join(state.outputDir, 'stress.json');
  writeFileSync(file, JSON.stringify(stressFixture));
  try {
    const rendered = nextEvent(api.onDashboardRendered, (e) => e.config === config.toString() && e.sections.includes('stress'), 'the dashboard with its stress section', 60_000);
    await vscode.commands.executeCommand('medseg.openDashboard', { uri: config.toString() });
    const info = await rendered;
    log(`    sections: ${info.sections.join(', ')}`);
    for (const section of ['summary', 'stress', 'stress-mix-grade', 'stress-mix-site', 'stress-blur', 'stress-flip']) assert.ok(info.sections.includes(section), `section ${section}`);
  } finally {
    rmSync(file, { force: true });
  }
}, 90_000);

test('Open Preview on a config opens the panel for an image with the chosen model', async () => {
  const api = await medsegApi();
  const config = dermoscopyConfig();
  const images = await api.server.images({ uri: config.toString(), split: 'test' });
  const entry = images.images[images.images.length - 1];
  const rendered = nextEvent(api.onPreviewRendered, (e) => e.resource === config.toString() && e.imageId === entry.id, 'the preview panel', 60_000);
  await vscode.commands.executeCommand('medseg.openPreview', { uri: config.toString(), image: entry.id, method: 'lmi-under' });
  const info = await rendered;
  const visible = info.layers.filter((l) => l.visible).map((l) => l.id);
  assert.ok(visible.includes('errors:lmi-under'), `the picked model's error map is shown (${visible.join(', ')})`);
  assert.ok(!visible.includes('errors:tii-sharp'), 'other models are hidden');
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}, 90_000);

test('Export Report copies report.html; Generate Split writes a split CSV', async () => {
  const config = dermoscopyConfig();
  const dir = mkdtempSync(join(tmpdir(), 'medseg-'));
  try {
    const target = join(dir, 'report.html');
    const written = await vscode.commands.executeCommand<vscode.Uri | undefined>('medseg.exportReport', { uri: config.toString(), target });
    assert.equal(written?.fsPath, target);
    assert.match(readFileSync(target, 'utf8'), /id="medseg-data"/);
    const out = join(dir, 'split.csv');
    const split = await vscode.commands.executeCommand<{ file: string; rows: number } | undefined>('medseg.proposeSplit', { uri: config.toString(), out });
    assert.ok(split, 'the command returns the split');
    const lines = readFileSync(out, 'utf8').trim().split(/\r?\n/);
    assert.match(lines[0], /image_id\s*,\s*split/);
    assert.equal(lines.length - 1, 120, 'one row per demo image');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);

test('the webviews ran under their CSP without a violation', async () => {
  const api = await medsegApi();
  assert.deepEqual(api.cspViolations(), []);
});

test('a crashed language server restarts and keeps the open editors', async () => {
  const api = await medsegApi();
  const config = dermoscopyConfig();
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(config));
  const client = api.server.languageClient;
  const before = client.serverProcess?.pid;
  assert.ok(before, 'the server runs as a child process');
  client.serverProcess!.kill('SIGKILL');
  await waitFor(() => (client.state === State.Running && client.serverProcess?.pid !== undefined && client.serverProcess.pid !== before) || undefined, 'the restarted server', 60_000);
  assert.ok(vscode.window.visibleTextEditors.some((e) => e.document.uri.toString() === config.toString()), 'the config editor is still open');
  const validation = await api.server.validate({ uri: config.toString(), images: false });
  assert.ok(validation.cases > 0, 'the restarted server answers requests');
  await waitFor(() => vscode.languages.getDiagnostics(config).find((d) => codeOf(d) === 'split/patient-leak'), 'diagnostics after the restart', 90_000);
}, 200_000);
