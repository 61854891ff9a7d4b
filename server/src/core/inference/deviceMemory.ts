/**
 * Free memory of the GPU, for sizing batches. Neither WebGPU nor onnxruntime-node tells it, so it
 * is read where the driver publishes it: `nvidia-smi` on NVIDIA machines (the GPUs CUDA and, on
 * Linux, WebGPU through Vulkan run on here). Undefined when it cannot be read; the caller then
 * assumes a small GPU.
 */
import { execFile } from 'node:child_process';

const MIB = 1024 ** 2;

/** Free bytes of the least free GPU of `nvidia-smi --query-gpu=memory.free` output (MiB, one line per GPU). */
export function parseNvidiaSmiFree(text: string): number | undefined {
  const values = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^\d+(\.\d+)?$/.test(l))
    .map(Number);
  if (values.length === 0) return undefined;
  let least = values[0];
  for (const v of values) if (v < least) least = v;
  return least * MIB;
}

export function gpuFreeBytes(timeoutMs = 5000): Promise<number | undefined> {
  return new Promise((resolve) => {
    execFile('nvidia-smi', ['--query-gpu=memory.free', '--format=csv,noheader,nounits'], { timeout: timeoutMs }, (err, stdout) => {
      resolve(err ? undefined : parseNvidiaSmiFree(stdout));
    });
  });
}
