import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { CUDA_INSTALL_COMMAND, ProviderUnavailableError, selectProvider, sessionOptions } from '../../../server/src/core/inference';
import { linearModel } from './support';

// Where onnxruntime-node's install script puts the CUDA provider; absent on a CPU-only install.
const ortBin = join(dirname(require.resolve('onnxruntime-node/package.json')), 'bin', 'napi-v6', process.platform, process.arch);
const cudaInstalled = existsSync(join(ortBin, 'libonnxruntime_providers_cuda.so'));
const model = linearModel(1, ['N', 1, 2, 2], [1], 0);

describe('selectProvider', () => {
  test('auto tries cuda, then webgpu, then cpu, recording why each failed', async () => {
    const { session, provider, attempts } = await selectProvider('auto', model, { threads: 1 });
    try {
      assert.deepEqual(attempts.map((a) => a.provider), ['cuda', 'webgpu', 'cpu'].slice(0, attempts.length));
      assert.equal(attempts.at(-1)!.ok, true);
      assert.equal(attempts.at(-1)!.provider, provider);
      for (const failed of attempts.slice(0, -1)) {
        assert.equal(failed.ok, false);
        assert.ok(failed.reason.length > 0, `${failed.provider} failed without a reason`);
      }
      if (!cudaInstalled) {
        assert.equal(attempts[0].ok, false);
        assert.match(attempts[0].reason, /Failed to load shared library/);
      }
      if (provider === 'cpu') assert.match(attempts[1].reason, /adapter|Vulkan/i);
      assert.deepEqual(session.inputNames, ['x']);
    } finally {
      await session.release();
    }
  });

  test('explicit cpu creates a session without trying anything else', async () => {
    const { session, provider, attempts } = await selectProvider('cpu', model);
    await session.release();
    assert.equal(provider, 'cpu');
    assert.deepEqual(attempts, [{ provider: 'cpu', ok: true, reason: '' }]);
  });

  test('explicit cuda without the CUDA libraries fails loudly, saying how to install them', { skip: cudaInstalled && 'the CUDA provider is installed here' }, async () => {
    await assert.rejects(selectProvider('cuda', model), (err: unknown) => {
      assert.ok(err instanceof ProviderUnavailableError);
      assert.equal(err.provider, 'cuda');
      assert.equal(err.code, 'runtime/provider-unavailable');
      assert.match(err.message, /^Execution provider `cuda` is not available here: Failed to load shared library/);
      assert.ok(err.message.includes('ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node'));
      assert.ok(err.message.includes(CUDA_INSTALL_COMMAND));
      return true;
    });
  });

  test('session options: all graph optimisations; threads 0 means every core', () => {
    const one = sessionOptions('cpu', { threads: 1 });
    assert.equal(one.graphOptimizationLevel, 'all');
    assert.equal(one.intraOpNumThreads, 1);
    assert.deepEqual(one.executionProviders, ['cpu']);
    assert.equal(sessionOptions('cpu', { threads: 0 }).intraOpNumThreads, require('node:os').availableParallelism());
  });
});

describe('selectProvider webgpu', () => {
  const vulkan = ['/usr/lib/x86_64-linux-gnu', '/usr/lib64', '/usr/lib', '/lib/x86_64-linux-gnu'].some((d) => existsSync(join(d, 'libvulkan.so.1')));
  test('explicit webgpu without a Vulkan loader fails loudly and names what is missing', { skip: (process.platform !== 'linux' || vulkan) && 'a Vulkan loader is present' }, async () => {
    await assert.rejects(selectProvider('webgpu', model), (err: unknown) => {
      assert.ok(err instanceof ProviderUnavailableError);
      assert.match(err.message, /`webgpu` is not available here: .*libvulkan\.so\.1.*use `provider: auto` or `cpu`/);
      return true;
    });
  });
});
