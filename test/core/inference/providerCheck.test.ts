// GPU providers are tried in a child process first (issue 15): a provider that throws, crashes its
// process or hangs while starting is recorded with its reason, and the evaluation's process goes on.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ProviderUnavailableError, selectProvider } from '../../../server/src/core/inference';
import { checkProviderInChild, readCheckResult } from '../../../server/src/core/inference/providerCheck';
import { linearModel } from './support';

const model = linearModel(1, ['N', 1, 2, 2], [1], 0);
let dir: string;
let savedPath: string | undefined;

/** A check script of the test's own (crashing, hanging) in place of provider-check.js. */
function script(name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(file, body);
  return file;
}

describe('provider checks in a child process', () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'medseg-provider-check-'));
    // An empty libvulkan.so.1 on the library path: the WebGPU precheck passes, so the child is asked,
    // and Dawn finds no usable Vulkan there (what a machine with a broken driver looks like).
    writeFileSync(join(dir, 'libvulkan.so.1'), '');
    savedPath = process.env.LD_LIBRARY_PATH;
    process.env.LD_LIBRARY_PATH = [dir, savedPath].filter(Boolean).join(delimiter);
  });
  after(() => {
    if (savedPath === undefined) delete process.env.LD_LIBRARY_PATH;
    else process.env.LD_LIBRARY_PATH = savedPath;
    rmSync(dir, { recursive: true, force: true });
  });

  test('cpu passes the check: the child ran a convolution and got 2·1 + 1', async () => {
    assert.deepEqual(await checkProviderInChild('cpu'), { ok: true, reason: '' });
  });

  test('webgpu without a usable Vulkan driver: the child says why, and auto records it and ends on cpu', { skip: process.platform !== 'linux' && 'the Vulkan precheck is Linux-only' }, async () => {
    const check = await checkProviderInChild('webgpu');
    assert.equal(check.ok, false);
    assert.match(check.reason, /WebGPU adapter|adapter/i);
    const { session, provider, attempts } = await selectProvider('auto', model, { threads: 1 });
    await session.release();
    assert.equal(provider, 'cpu');
    assert.deepEqual(
      attempts.map((a) => [a.provider, a.ok]),
      [
        ['cuda', false],
        ['webgpu', false],
        ['cpu', true],
      ],
    );
    assert.equal(attempts[1].reason, check.reason, "auto records the child's reason for webgpu");
  });

  test('a provider that crashes its check process is refused with the signal; this process goes on', async () => {
    const crash = script('crash.js', "process.kill(process.pid, 'SIGSEGV');\n");
    const check = await checkProviderInChild('webgpu', { script: crash });
    assert.deepEqual(check, { ok: false, reason: 'the webgpu provider crashed its check process (SIGSEGV) while starting' });
    await assert.rejects(selectProvider('webgpu', model, { threads: 1 }, { check: { script: crash } }), (err: unknown) => {
      assert.ok(err instanceof ProviderUnavailableError);
      assert.equal(err.code, 'runtime/provider-unavailable');
      assert.match(err.message, /^Execution provider `webgpu` is not available here: the webgpu provider crashed its check process \(SIGSEGV\)/);
      return true;
    });
  });

  test('a check that hangs is stopped at its time limit and refused', async () => {
    const hang = script('hang.js', 'setInterval(() => {}, 1000);\n');
    const started = performance.now();
    const check = await checkProviderInChild('cuda', { script: hang, timeoutMs: 800 });
    assert.equal(check.ok, false);
    assert.equal(check.reason, 'the cuda provider check did not finish within 1 s (a driver that hangs while starting)');
    assert.ok(performance.now() - started < 20_000);
  });

  test("the child's answer is read from its marked line; anything else is a failed check", () => {
    assert.deepEqual(readCheckResult('webgpu', null, 'warning: something\nMEDSEG_PROVIDER_CHECK {"ok":true,"reason":""}\n', 1000), { ok: true, reason: '' });
    assert.deepEqual(readCheckResult('webgpu', null, 'MEDSEG_PROVIDER_CHECK {"ok":false,"reason":"No supported adapters"}\n', 1000), { ok: false, reason: 'No supported adapters' });
    assert.deepEqual(readCheckResult('webgpu', null, 'MEDSEG_PROVIDER_CHECK {not json\n', 1000), { ok: false, reason: 'the webgpu provider check gave no answer' });
    const exited = Object.assign(new Error('Command failed: node check.js\nboom'), { code: 3 });
    assert.deepEqual(readCheckResult('cuda', exited, '', 1000), { ok: false, reason: 'the cuda provider check failed: Command failed: node check.js' });
  });
});
