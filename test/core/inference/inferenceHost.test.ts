// The inference host batches the samples of several cases by case windows, sends each case its own
// scores back, retries a batch that fails one sample at a time, and fails a bad request alone.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { HostConnection, HostedModel, InferenceHost } from '../../../server/src/core/inference';
import type { StreamSpec } from '../../../server/src/core/inference';
import { GraphBuilder } from '../../../server/src/core/onnx';
import { modelConfig } from './support';

let dir: string;
let host: InferenceHost;

/** y = 1·x + 0·c, where c is a constant of batch 1 concatenated to x: it runs at batch 1 only. */
function batchOneOnlyModel(): Uint8Array {
  const g = new GraphBuilder('batch-one');
  const x = g.input('x', ['N', 1, 2, 2]);
  const both = g.concat([x, g.constant([0, 0, 0, 0], [1, 1, 2, 2], 'c')], 1);
  g.output(g.conv(both, { weights: [1, 0], shape: [1, 2, 1, 1], bias: [0] }));
  return g.build();
}

/** y = 2x + 1 at any batch size. */
function affineModel(): Uint8Array {
  const g = new GraphBuilder('affine');
  const x = g.input('x', ['N', 1, 2, 2]);
  g.output(g.conv(x, { weights: [2], shape: [1, 1, 1, 1], bias: [1] }));
  return g.build();
}

const sample = (k: number) => Float32Array.of(k, k + 0.25, k + 0.5, k + 0.75);
const raw = { activation: 'none' as const };
const input = { size: [2, 2] as [number, number], normalize: { kind: 'explicit' as const, mean: [0], std: [1] } };

async function open(file: string, name: string): Promise<{ key: number; model: ReturnType<typeof modelConfig>; description: Awaited<ReturnType<InferenceHost['open']>>['description'] }> {
  const model = modelConfig(input, raw, { path: join(dir, file), name });
  const { key, description } = await host.open(model, { provider: 'cpu', batch: 8, threads: 1 });
  return { key, model, description };
}

describe('inference host: batches across cases', () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'medseg-host-'));
    writeFileSync(join(dir, 'one.onnx'), batchOneOnlyModel());
    writeFileSync(join(dir, 'affine.onnx'), affineModel());
    host = InferenceHost.start();
  });
  after(async () => {
    await host.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  test('windows of 3 cases: each case gets its own scores whatever the order the cases come in; skipped cases complete their window', async () => {
    const spec = await open('affine.onnx', 'affine');
    const stream: StreamSpec = { stream: 'w3', window: 3, chunk: 3, cases: 7 };
    const connection = new HostConnection(host.connect());
    const model = new HostedModel(connection, spec, stream);
    try {
      // Cases 1 and 4 are cache hits (nothing to run); the others come in a scrambled order.
      const pending = new Map<number, Promise<Float32Array[]>>();
      for (const k of [5, 0, 6, 2, 3]) pending.set(k, model.run([sample(k)], undefined, k));
      for (const k of [1, 4]) model.settle(k);
      for (const k of [5, 0, 6, 2, 3]) model.settle(k); // after a run: nothing more to say
      for (const [k, p] of pending) assert.deepEqual(Array.from((await p)[0]), Array.from(sample(k), (v) => 2 * v + 1), `case ${k}`);
    } finally {
      connection.close();
    }
  });

  test('a batch the model cannot run (it takes batch 1 only) is retried sample by sample: every case still gets its scores', async () => {
    const spec = await open('one.onnx', 'one');
    const connection = new HostConnection(host.connect());
    const model = new HostedModel(connection, spec, { stream: 'retry', window: 3, chunk: 3, cases: 3 });
    try {
      const results = await Promise.all([0, 1, 2].map((k) => model.run([sample(k)], undefined, k)));
      results.forEach((r, k) => assert.deepEqual(Array.from(r[0]), Array.from(sample(k)), `case ${k}`));
    } finally {
      connection.close();
    }
  });

  test('a request of the wrong size fails alone; its window still runs the other cases', async () => {
    const spec = await open('affine.onnx', 'affine-2');
    const connection = new HostConnection(host.connect());
    const model = new HostedModel(connection, spec, { stream: 'bad', window: 2, chunk: 2, cases: 2 });
    try {
      const bad = model.run([new Float32Array(3)], undefined, 0);
      const good = model.run([sample(7)], undefined, 1);
      await assert.rejects(bad, /an input has 3 values, 4 expected/);
      assert.deepEqual(Array.from((await good)[0]), Array.from(sample(7), (v) => 2 * v + 1));
    } finally {
      connection.close();
    }
  });

  test('measure: the bytes of one sample’s activations, counted by hand (input 2·2 and the convolution’s 2·2 float32 values)', async () => {
    const spec = await open('affine.onnx', 'affine-3');
    assert.equal(await host.measure(spec.key), (4 + 4) * 4);
  });
});
