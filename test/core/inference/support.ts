/** Builders shared by the inference tests: configs, images, tiny models with known outputs. */
import type { ModelConfig, ModelInputConfig, ModelOutputConfig, Normalization } from '../../../server/src/core/config/types';
import type { ImageVolume, PixelArray } from '../../../server/src/core/io/types';
import { GraphBuilder, type DimSpec } from '../../../server/src/core/onnx';

export function modelConfig(
  input: Partial<ModelInputConfig> & { normalize?: Normalization } = {},
  output: Partial<ModelOutputConfig> = {},
  extra: Partial<ModelConfig> = {},
): ModelConfig {
  return {
    name: 'm',
    family: 'other',
    index: 0,
    input: { layout: 'NCHW', channels: 1, normalize: { kind: 'unit' }, ...input },
    output: { activation: 'sigmoid', channel: 1, threshold: 0.5, ...output },
    ...extra,
  };
}

export function image(width: number, height: number, channels: number, data: PixelArray, depth = 1, bitDepth?: number): ImageVolume {
  if (data.length !== width * height * channels * depth) throw new Error('image(): wrong data length');
  return {
    width,
    height,
    depth,
    channels,
    data,
    bitDepth: bitDepth ?? (data instanceof Uint8Array ? 8 : data instanceof Uint16Array ? 16 : 32),
    spacing: [1, 1, 1],
    spacingKnown: false,
    format: data instanceof Uint8Array || data instanceof Uint16Array ? 'png' : 'nifti',
  };
}

/** y = conv1×1(x; w, b) over `channels` inputs → one output channel: logits = Σ w_c x_c + b. */
export function linearModel(channels: number, dims: DimSpec[], w: number[], b: number): Uint8Array {
  const g = new GraphBuilder('linear');
  const x = g.input('x', dims);
  const y = g.conv(x, { weights: w, shape: [1, channels, 1, 1], bias: [b] });
  g.output(y, [dims[0], 1, dims[2], dims[3]]);
  return g.build();
}

/** x / 0: infinite or NaN everywhere. */
export function nonFiniteModel(dims: DimSpec[]): Uint8Array {
  const g = new GraphBuilder('bad');
  const x = g.input('x', dims);
  g.output(g.div(x, 0));
  return g.build();
}

export const runtime = { provider: 'cpu' as const, batch: 2, threads: 1 };

/** Deterministic pseudo-random numbers in [0, 1) (a 32-bit LCG), for test images. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
