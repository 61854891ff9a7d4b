/**
 * What a cold start must not wait for (issue 17, item 10; the times are bench/lsp-latency.ts's):
 * the bundles carry the config validator precompiled, the checks worker loads neither
 * onnxruntime nor the language server library, and a just-opened config gets its own findings at
 * once, before the engine's pass, which adds its findings in a later publication.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { LspTestClient, ROOT } from './lspClient';

const dist = (file: string) => readFileSync(join(ROOT, 'dist', file), 'utf8');

describe('cold start', () => {
  test('no bundle compiles the config schema: the validator is ajv standalone code from the build', () => {
    for (const bundle of ['server.js', 'lsp-checks-worker.js', 'lsp-worker.js', 'cli.js']) {
      const code = dist(bundle);
      assert.doesNotMatch(code, /function compileSchema\(/, `${bundle} carries ajv's compiler`);
      assert.doesNotMatch(code, /new import_ajv\.default\(|new Ajv\(/, `${bundle} constructs ajv`);
    }
    // The standalone code inlines the schema's own id and checks with ajv's runtime helpers.
    assert.match(dist('server.js'), /"\$id":\s*"https:\/\/medseg-eval\.dev\/schemas\/medseg\.schema\.json"/);
  });

  test('the checks worker runs validation without loading onnxruntime or the language server library', () => {
    const code = dist('lsp-checks-worker.js');
    assert.doesNotMatch(code, /require\("onnxruntime-node"\)/);
    assert.doesNotMatch(code, /createConnection|ProposedFeatures/);
    // Nor evaluation, reports or stress tests: those are the runs worker's.
    for (const fn of ['evaluateExperiment', 'writeReport']) {
      assert.match(dist('lsp-worker.js'), new RegExp(`function ${fn}\\(`), `the runs worker has ${fn}`);
      assert.doesNotMatch(code, new RegExp(`function ${fn}\\(`), `the checks worker has no ${fn}`);
    }
  });

  describe('over the protocol', () => {
    let dir: string;
    let client: LspTestClient;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'medseg-cold-'));
      mkdirSync(join(dir, 'images'));
      mkdirSync(join(dir, 'masks'));
      // Images without masks: the engine's pass reports dataset/missing-mask.
      for (const id of ['a', 'b']) writeFileSync(join(dir, 'images', `${id}.png`), '');
      client = await LspTestClient.start({ settings: { validation: { images: false } }, rootDir: dir });
    });
    after(async () => {
      await client.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    test('a just-opened config gets its own findings at once; the engine\'s come in a later publication', async () => {
      const uri = pathToFileURL(join(dir, 'cold.medseg.yaml')).toString();
      const text = 'dataset:\n  images: images/*.png\n  masks: masks/{stem}.png\n  volumse: 3d\nmodels:\n  - predictions: masks/{stem}.png\n';
      await client.open(uri, text);
      const engine = await client.waitForDiagnostics(uri, (d) => d.some((x) => String(x.code).startsWith('dataset/')), 30_000);
      const published = client.diagnosticsLog.filter((e) => e.params.uri === uri).map((e) => e.params.diagnostics.map((d) => String(d.code)));
      assert.deepEqual(published[0], ['config/unknown-key'], 'the first publication: the config\'s own finding, not waiting for the engine');
      assert.ok(published.length >= 2, 'the engine\'s findings in a later one');
      assert.ok(engine.diagnostics.some((d) => d.code === 'config/unknown-key'), 'the later one keeps the config\'s finding');
    });
  });
});
