/** Networks and data shared by the explain tests: a small random U-Net built with the ONNX builder. */
import { onnx } from 'onnx-proto';
import { GraphBuilder } from '../../../server/src/core/onnx';
import { createRandom, type Random } from '../../../server/src/core/util/random';
import type { ModelConfig } from '../../../server/src/core/config/types';

export interface UNetSpec {
  inChannels: number;
  /** Channels per level, encoder top to bottleneck: [c1, c2, c3] gives two poolings. */
  channels: number[];
  size: number;
  seed: number;
}

function heWeights(r: Random, out: number, inp: number, k: number): Float32Array {
  const std = Math.sqrt(2 / (inp * k * k));
  return Float32Array.from({ length: out * inp * k * k }, () => r.normal() * std);
}

function conv3(g: GraphBuilder, r: Random, x: string, inp: number, out: number, name?: string): string {
  const y = g.conv(x, { weights: heWeights(r, out, inp, 3), shape: [out, inp, 3, 3], bias: Float32Array.from({ length: out }, () => r.normal() * 0.1) });
  return g.relu(y, name);
}

/**
 * A U-Net: per level two 3×3 conv + ReLU, 2×2 max pooling down, nearest ×2 upsampling and skip
 * concatenation up, a 1×1 conv to one logit channel. The bottleneck's last ReLU is `bottleneck`,
 * the output `logits`. Weights are He-initialised from the seed.
 */
export function buildUNet(spec: UNetSpec): { bytes: Uint8Array; parameters: number } {
  const r = createRandom(spec.seed);
  const g = new GraphBuilder('unet');
  const x = g.input('image', ['N', spec.inChannels, spec.size, spec.size]);
  const levels = spec.channels;
  const skips: { tensor: string; channels: number }[] = [];
  let t = x;
  let c = spec.inChannels;
  for (let l = 0; l < levels.length; l++) {
    const last = l === levels.length - 1;
    t = conv3(g, r, t, c, levels[l]);
    t = conv3(g, r, t, levels[l], levels[l], last ? 'bottleneck' : `skip${l}`);
    c = levels[l];
    if (!last) {
      skips.push({ tensor: t, channels: c });
      t = g.maxPool(t, 2, { strides: [2, 2], pads: [0, 0, 0, 0] });
    }
  }
  for (let l = levels.length - 2; l >= 0; l--) {
    t = g.resize(t, [1, 1, 2, 2], 'nearest', 'asymmetric');
    t = g.concat([t, skips[l].tensor], 1);
    t = conv3(g, r, t, c + skips[l].channels, levels[l]);
    c = levels[l];
  }
  const logits = g.conv(t, { weights: heWeights(r, 1, c, 1), shape: [1, c, 1, 1], bias: [0.1] });
  g.output(g.node('Identity', [logits], 'logits'), ['N', 1, spec.size, spec.size]);
  return { bytes: g.build(), parameters: g.parameterCount };
}

/** The same model with its nodes in a shuffled order (real exports are not always sorted). */
export function shuffleNodes(bytes: Uint8Array, seed: number): Uint8Array {
  const model = onnx.ModelProto.decode(bytes);
  const nodes = [...(model.graph!.node ?? [])];
  createRandom(seed).shuffle(nodes);
  model.graph!.node = nodes;
  return onnx.ModelProto.encode(model).finish();
}

export function modelConfig(name: string, path: string, size: number, channels: 1 | 3 = 1, extra: Partial<ModelConfig> = {}): ModelConfig {
  return {
    name,
    path,
    family: 'other',
    index: 0,
    input: { size: [size, size], layout: 'NCHW', channels, normalize: { kind: 'unit' } },
    output: { activation: 'sigmoid', channel: 0, threshold: 0.5 },
    ...extra,
  };
}

export function randomArray(n: number, seed: number, scale = 1, offset = 0): Float32Array {
  const r = createRandom(seed);
  return Float32Array.from({ length: n }, () => offset + scale * r.normal());
}
