/**
 * A U-Net of the size researchers export (4 levels, 16→256 channels, ≈1.9 M parameters), with
 * seeded random weights, built with the engine's ONNX builder: the inference cost of a real model
 * without shipping one. Input [N, 3, size, size], output [N, 1, size, size] logits.
 */
import { GraphBuilder } from '../../server/src/core/onnx';
import { createRandom } from '../../server/src/core/util/random';

export function buildUnet(size = 256, seed = 7): { bytes: Uint8Array; parameters: number } {
  const random = createRandom(seed);
  const g = new GraphBuilder('bench-unet');
  let parameters = 0;
  const conv = (x: string, cin: number, cout: number, k = 3): string => {
    const n = cout * cin * k * k;
    const std = Math.sqrt(2 / (cin * k * k)); // He initialisation keeps activations in range
    const weights = new Float32Array(n);
    for (let i = 0; i < n; i++) weights[i] = random.normal() * std;
    parameters += n + cout;
    return g.conv(x, { weights, shape: [cout, cin, k, k], bias: new Float32Array(cout) });
  };
  const block = (x: string, cin: number, cout: number) => g.relu(conv(g.relu(conv(x, cin, cout)), cout, cout));
  const x = g.input('image', ['N', 3, size, size]);
  const widths = [16, 32, 64, 128];
  const skips: string[] = [];
  let h = x;
  let cin = 3;
  for (const w of widths) {
    h = block(h, cin, w);
    skips.push(h);
    h = g.maxPool(h, 2, { strides: [2, 2], pads: [0, 0, 0, 0] });
    cin = w;
  }
  h = block(h, cin, 256);
  cin = 256;
  for (let level = widths.length - 1; level >= 0; level--) {
    const up = g.resize(h, [1, 1, 2, 2], 'nearest', 'asymmetric');
    h = block(g.concat([up, skips[level]]), cin + widths[level], widths[level]);
    cin = widths[level];
  }
  g.output(conv(h, cin, 1, 1), ['N', 1, size, size]);
  return { bytes: g.build(), parameters };
}
