/**
 * What a new user meets next (issue 17; the walkthrough is walkthrough.tests.ts): images for the
 * walkthrough's steps, the clean demos' notes, a misspelt key marks one line, Open Preview right after an evaluation lists the evaluated
 * images first, and photographs get no CT window sliders. Runs after extension.tests.ts (the
 * evaluation there is the one the picker orders by).
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { dermoscopyConfig, demoRoot, medsegApi, quietWorkbench, state } from './context';
import { requestScreenshot } from './io';
import { log, test } from './runner';
import { nextEvent, waitFor } from './wait';

function codeOf(d: vscode.Diagnostic): string | undefined {
  return d.code === undefined ? undefined : typeof d.code === 'object' ? String(d.code.value) : String(d.code);
}

async function shotForWalkthrough(step: string): Promise<void> {
  await new Promise((r) => setTimeout(r, 800));
  await requestScreenshot(`walkthrough-${step}`, { dir: 'walkthrough', file: step, width: 960 });
}

test('walkthrough images: the workspace, the config, its problems, the Dice lenses, the dashboard', async () => {
  if (process.env.MEDSEG_TEST_SCREENSHOTS !== '1') return;
  const api = await medsegApi();
  const config = dermoscopyConfig();
  await quietWorkbench();
  await vscode.commands.executeCommand('workbench.view.explorer');
  await vscode.commands.executeCommand('revealInExplorer', config);
  await shotForWalkthrough('create');
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(config));
  await shotForWalkthrough('config');
  await vscode.commands.executeCommand('workbench.actions.view.problems');
  await shotForWalkthrough('diagnostics');
  await quietWorkbench();
  // After the evaluation the code lenses carry each model's Dice.
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(config));
  await new Promise((r) => setTimeout(r, 1500));
  await shotForWalkthrough('evaluate');
  const rendered = nextEvent(api.onDashboardRendered, (e) => e.config === config.toString() && e.sections.length > 0, 'the dashboard', 60_000);
  await vscode.commands.executeCommand('medseg.openDashboard', { uri: config.toString() });
  await rendered;
  await vscode.commands.executeCommand('workbench.action.closeOtherEditors');
  await shotForWalkthrough('dashboard');
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}, 120_000);

test('the clean demo configs get only the notes their comments explain', async () => {
  const root = demoRoot();
  for (const modality of ['dermoscopy', 'histology', 'ct']) {
    const uri = vscode.Uri.joinPath(root, modality, `${modality}-clean.medseg.yaml`);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: false });
    const diagnostics = await waitFor(() => {
      const d = vscode.languages.getDiagnostics(uri);
      return d.some((x) => codeOf(x) === 'split/test-too-small') ? d : undefined;
    }, `the diagnostics of ${modality}-clean`, 90_000);
    // The image pass adds image findings when there are any: give it time to finish.
    await new Promise((r) => setTimeout(r, 3000));
    const codes = [...new Set(vscode.languages.getDiagnostics(uri).map(codeOf))].sort();
    log(`    ${modality}-clean: ${codes.join(', ')} (${diagnostics.length} at first)`);
    assert.deepEqual(codes.filter((c) => c !== 'dataset/rare-label' && c !== 'split/test-too-small'), [], `${modality}-clean has no other finding`);
    const text = readFileSync(uri.fsPath, 'utf8');
    for (const code of codes) assert.ok(text.includes(code!), `${modality}-clean explains ${code}`);
    assert.ok(vscode.languages.getDiagnostics(uri).every((d) => codeOf(d) !== 'dataset/rare-label' || d.severity === vscode.DiagnosticSeverity.Information), 'rare labels are notes');
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}, 200_000);

test('a misspelt top-level key is one error on its own line, not the whole file', async () => {
  const source = readFileSync(dermoscopyConfig().fsPath, 'utf8');
  assert.match(source, /^models:$/m);
  const file = join(demoRoot().fsPath, 'dermoscopy', 'typo.medseg.yaml');
  writeFileSync(file, source.replace(/^models:$/m, 'modles:'));
  const uri = vscode.Uri.file(file);
  try {
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const typo = await waitFor(() => vscode.languages.getDiagnostics(uri).find((d) => codeOf(d) === 'config/unknown-key'), 'the typo diagnostic', 60_000);
    const line = source.split('\n').findIndex((l) => l === 'models:');
    const all = vscode.languages.getDiagnostics(uri);
    log(`    ${all.map((d) => `${codeOf(d)} ${vscode.DiagnosticSeverity[d.severity]} lines ${d.range.start.line + 1}-${d.range.end.line + 1}`).join('; ')}`);
    assert.equal(typo.severity, vscode.DiagnosticSeverity.Error, 'the typo is the error');
    assert.deepEqual([typo.range.start.line, typo.range.start.character, typo.range.end.line, typo.range.end.character], [line, 0, line, 'modles'.length]);
    assert.match(typo.message, /did you mean `models`\? The config needs `models`/);
    assert.ok(!all.some((d) => codeOf(d) === 'config/missing-key'), 'no second finding for the same cause');
    assert.ok(all.every((d) => d.range.end.line === d.range.start.line), 'every finding marks one line');
  } finally {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    rmSync(file, { force: true });
  }
}, 90_000);

test('Open Preview right after an evaluation: the worst evaluated image comes first, with its results', async () => {
  const api = await medsegApi();
  const config = dermoscopyConfig();
  assert.ok(state.outputDir, 'an evaluation ran before');
  const listed = await api.server.images({ uri: config.toString() });
  assert.equal(listed.evaluatedSplit, 'test');
  const model = listed.rankedBy!;
  const evaluated = listed.images.filter((e) => e.dice?.[model] !== undefined).sort((a, b) => a.dice![model]! - b.dice![model]! || (a.id < b.id ? -1 : 1));
  assert.ok(evaluated.length > 0 && evaluated.every((e) => e.split === 'test'));
  assert.notEqual(listed.images[0].split, 'test', 'in dataset order a train image would come first');
  const rendered = nextEvent(api.onPreviewRendered, (e) => e.resource === config.toString(), 'the preview of the first pick', 60_000);
  // The picker is the real quick pick: accept its first item as a user pressing Enter would.
  const command = vscode.commands.executeCommand('medseg.openPreview', { uri: config.toString() });
  await new Promise((r) => setTimeout(r, 2500));
  await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
  await command;
  const info = await rendered;
  log(`    first pick ${info.imageId} (${model} Dice ${evaluated[0].dice![model]!.toFixed(3)})${info.note ? `; note: ${info.note}` : ''}`);
  assert.equal(info.imageId, evaluated[0].id, 'the worst test image of the best model');
  assert.equal(info.note, undefined, 'it has results');
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  // A train image says which split was evaluated.
  const trainImage = listed.images.find((e) => e.split === 'train')!;
  const train = nextEvent(api.onPreviewRendered, (e) => e.resource === config.toString() && e.imageId === trainImage.id, 'the preview of a train image', 60_000);
  await vscode.commands.executeCommand('medseg.openPreview', { uri: config.toString(), image: trainImage.id });
  assert.match((await train).note ?? '', /the last evaluation was of the test split and this image is in train/);
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}, 120_000);

test('an RGB photo opens without window sliders; a CT volume has them and its slice slider', async () => {
  const api = await medsegApi();
  const images = await api.server.images({ uri: dermoscopyConfig().toString(), split: 'test' });
  const photo = vscode.Uri.file(images.images[0].image);
  const ct = vscode.Uri.joinPath(demoRoot(), 'ct', 'case_00000', 'imaging.nii.gz');
  for (const [uri, expected] of [
    [photo, []],
    [ct, ['slice', 'window']],
  ] as const) {
    const rendered = nextEvent(api.onPreviewRendered, (e) => e.resource === uri.toString() && e.layers.length > 1, `the preview of ${uri.path}`, 60_000);
    await vscode.commands.executeCommand('vscode.openWith', uri, 'medseg.preview');
    const info = await rendered;
    log(`    ${info.imageId}: controls ${info.controls.join(', ') || 'none'}`);
    assert.deepEqual([...info.controls].sort(), expected);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  }
}, 120_000);
