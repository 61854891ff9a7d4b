/**
 * Child process entry (bundled as `dist/provider-check.js`): can this machine run an execution
 * provider? Opens a session of a one-convolution model on it and runs it once. A GPU provider that
 * cannot start may throw, print to stderr, or take the process down with it (a driver that
 * crashes while enumerating adapters); here none of that reaches the evaluation. Prints one line,
 * `MEDSEG_PROVIDER_CHECK {"ok":…,"reason":…}`, and exits 0 whatever the answer.
 *
 *   node provider-check.js <cuda|webgpu|cpu>
 */
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../onnx';
import { CHECK_PREFIX } from './providerCheck';
import { conciseReason, sessionOptions, type ProviderName } from './providers';

function probeModel(): Uint8Array {
  const g = new GraphBuilder('provider-check');
  const x = g.input('x', [1, 1, 8, 8]);
  g.output(g.conv(x, { weights: [2], shape: [1, 1, 1, 1], bias: [1] }), [1, 1, 8, 8]);
  return g.build();
}

async function check(provider: ProviderName): Promise<{ ok: boolean; reason: string }> {
  ort.env.logLevel = 'fatal';
  try {
    const session = await ort.InferenceSession.create(probeModel(), sessionOptions(provider, { threads: 1 }));
    try {
      const input = new Float32Array(64).fill(1);
      const out = await session.run({ x: new ort.Tensor('float32', input, [1, 1, 8, 8]) });
      const y = out[session.outputNames[0]].data as Float32Array;
      // 2·1 + 1 everywhere: a provider that runs but computes garbage is not usable either.
      if (!y.every((v) => v === 3)) return { ok: false, reason: `the ${provider} provider ran a test convolution and got wrong values` };
    } finally {
      await session.release();
    }
    return { ok: true, reason: '' };
  } catch (err) {
    return { ok: false, reason: conciseReason(err) };
  }
}

const provider = process.argv[2] as ProviderName;
void check(provider).then((result) => {
  process.stdout.write(`${CHECK_PREFIX}${JSON.stringify(result)}\n`);
  process.exit(0);
});
