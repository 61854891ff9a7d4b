/**
 * Checks an ONNX graph's declared input and output against the model's config section before
 * anything runs, so a wrong `size`, `channels` or `layout` is an editor diagnostic, not a crash
 * (or worse, a silently wrong evaluation) halfway through a dataset.
 */
import { regionChannelsProblem } from '../config/regions';
import type { ModelConfig, RegionMapping } from '../config/types';
import type { Finding, Severity } from '../findings';
import { formatTensorType, type ModelInfo, type TensorDim } from '../onnx';
import { chooseOutput } from './chooseOutput';

/** onnxruntime-node 1.30 loads these. */
const MAX_IR_VERSION = 13;
const MAX_OPSET = 26;

type Layout = 'NCHW' | 'NHWC';

function channelIndex(layout: Layout): number {
  return layout === 'NCHW' ? 1 : 3;
}

function spatialIndices(layout: Layout): [number, number] {
  return layout === 'NCHW' ? [2, 3] : [1, 2];
}

function isImageChannelCount(d: TensorDim | undefined): boolean {
  return d === 1 || d === 3;
}

/** Where the engine's input/output tensors sit in a graph whose rank is known to be 4. */
export interface ResolvedGraphInput {
  layout: Layout;
  /** Fixed batch size from the graph, undefined when the batch axis is dynamic. */
  fixedBatch?: number;
  /** [H, W] the model takes: the config's, else the graph's when both are fixed. */
  size?: [number, number];
}

export function checkModelAgainstConfig(info: ModelInfo, model: ModelConfig, configFile?: string): Finding[] {
  const findings: Finding[] = [];
  const at = (path: (string | number)[], severity: Severity, code: string, message: string, fix?: Record<string, unknown>) => {
    findings.push({
      code,
      severity,
      message: `Model \`${model.name}\`: ${message}`,
      configPath: ['models', model.index, ...path],
      ...(configFile ? { location: { file: configFile } } : {}),
      ...(fix ? { fix } : {}),
    });
  };

  if (info.irVersion > MAX_IR_VERSION) {
    at(['path'], 'error', 'model/ir-unsupported', `the file has ir_version ${info.irVersion}; onnxruntime-node 1.30 reads up to ${MAX_IR_VERSION}. Re-export with an older exporter or convert it (onnx.version_converter).`);
  }
  if (info.opset > MAX_OPSET) {
    at(['path'], 'error', 'model/opset-unsupported', `the graph uses opset ${info.opset}; onnxruntime-node 1.30 runs up to opset ${MAX_OPSET}. Re-export with opset_version=${MAX_OPSET} or lower.`);
  }

  checkInput(info, model, at);
  checkOutput(info, model, at);
  return findings;
}

type Report = (path: (string | number)[], severity: Severity, code: string, message: string, fix?: Record<string, unknown>) => void;

function checkInput(info: ModelInfo, model: ModelConfig, at: Report): void {
  if (info.inputs.length === 0) {
    at(['path'], 'error', 'model/no-input', 'the graph has no input to feed an image to; is this a segmentation model?');
    return;
  }
  if (info.inputs.length > 1) {
    at(['path'], 'error', 'model/multiple-inputs', `the graph has ${info.inputs.length} inputs (${info.inputs.map((t) => `\`${t.name}\``).join(', ')}); the engine feeds one image tensor. Export the model with a single image input.`);
  }
  const input = info.inputs[0];
  const shown = `graph input \`${input.name}\` is \`${formatTensorType(input)}\``;
  if (input.elementType !== 'float32') {
    at(['path'], 'error', 'model/input-type', `${shown}; the engine feeds float32. Export the model with a float32 input (cast inside the graph if needed).`);
  }
  const dims = input.dims;
  if (!dims) return;
  if (dims.length !== 4) {
    at(['input'], 'error', 'model/input-rank', `${shown}, ${dims.length}-D; the engine feeds 4-D image batches ([N, C, H, W] or [N, H, W, C]).`);
    return;
  }

  let layout: Layout = model.input.layout;
  const configured = dims[channelIndex(layout)];
  const other: Layout = layout === 'NCHW' ? 'NHWC' : 'NCHW';
  if (typeof configured === 'number' && !isImageChannelCount(configured) && isImageChannelCount(dims[channelIndex(other)])) {
    at(['input', 'layout'], 'error', 'model/layout-mismatch', `${shown}, which is ${other} (channels ${other === 'NHWC' ? 'last' : 'first'}); the config says \`layout: ${layout}\`. Set \`layout: ${other}\`.`, { replacement: other });
    layout = other;
  }

  const channels = dims[channelIndex(layout)];
  if (typeof channels === 'number' && channels !== model.input.channels) {
    if (isImageChannelCount(channels)) {
      at(['input', 'channels'], 'error', 'model/channels-mismatch', `${shown}: it takes ${channels} channel(s); the config says \`channels: ${model.input.channels}\`. Set \`channels: ${channels}\`.`, { replacement: channels });
    } else {
      at(['input', 'channels'], 'error', 'model/channels-unsupported', `${shown}: it takes ${channels} channels; the engine feeds 1 (grey) or 3 (RGB) channels. Use a model with a 1- or 3-channel input.`);
    }
  }

  const [hi, wi] = spatialIndices(layout);
  const h = dims[hi];
  const w = dims[wi];
  const size = model.input.size;
  if (size) {
    const hMismatch = typeof h === 'number' && h !== size[0];
    const wMismatch = typeof w === 'number' && w !== size[1];
    if (hMismatch || wMismatch) {
      const graphSize: [number, number] = [typeof h === 'number' ? h : size[0], typeof w === 'number' ? w : size[1]];
      at(['input', 'size'], 'error', 'model/size-mismatch', `${shown}: it takes H×W = ${h}×${w}; the config says \`size: [${size[0]}, ${size[1]}]\`. Set \`size: [${graphSize.join(', ')}]\` or remove \`size\` to read it from the graph.`, { replacement: graphSize });
    }
  } else if (typeof h !== 'number' || typeof w !== 'number') {
    at(['input'], 'error', 'model/size-unknown', `${shown}: its height and width are dynamic and the config gives no \`size\`. Add \`size: [H, W]\` with the size the model was trained at.`);
  }

  const batch = dims[0];
  if (batch === 1) {
    at(['input'], 'info', 'model/fixed-batch', `${shown}: its batch size is fixed at 1, so images run one at a time (runtime.batch does not apply). Export with a dynamic batch axis (torch: dynamic_axes={'${input.name}': {0: 'N'}}) to batch.`);
  } else if (typeof batch === 'number') {
    at(['input'], 'warning', 'model/fixed-batch', `${shown}: its batch size is fixed at ${batch}, so images run in batches of ${batch} (the last one padded; runtime.batch does not apply). Export with a dynamic batch axis to choose the batch.`);
  }
}

function checkOutput(info: ModelInfo, model: ModelConfig, at: Report): void {
  if (info.outputs.length === 0) {
    at(['path'], 'error', 'model/no-output', 'the graph has no output.');
    return;
  }
  const { choice, problem } = chooseOutput(info, model);
  if (problem) at(problem.configPath.slice(2), problem.severity, problem.code, problem.message, problem.fix);
  if (!choice) return;
  const output = info.outputs[choice.index];
  const shown = `graph output \`${output.name}\` is \`${formatTensorType(output)}\``;
  if (output.elementType !== 'float32' && output.elementType !== 'unknown') {
    at(['output'], 'error', 'model/output-type', `${shown}; the engine reads float32 scores or probabilities. Export a float32 output (before any argmax).`);
  }
  const dims = output.dims;
  if (!dims) return;
  if (dims.length === 3) {
    at(['output'], 'info', 'model/output-rank', `${shown}, 3-D: read as [N, H, W], one foreground score per pixel.`);
    if (model.output.activation === 'softmax') {
      at(['output', 'activation'], 'warning', 'model/softmax-one-channel', `${shown}, one score per pixel; softmax over one channel is always 1. Use \`activation: sigmoid\` (logits) or \`none\` (probabilities).`, { replacement: 'sigmoid' });
    }
    return;
  }
  if (dims.length !== 4) {
    at(['output'], 'error', 'model/output-rank', `${shown}, ${dims.length}-D; the engine reads a 4-D score map ([N, C, H, W], or [N, H, W, C] for NHWC models). Export the segmentation head's output before any argmax or flattening.`);
    return;
  }
  const layout = model.input.layout;
  const channels = dims[channelIndex(layout)];
  if (typeof channels !== 'number') return;
  if (channels > 1 && model.output.channel >= channels) {
    at(['output', 'channel'], 'error', 'model/output-channel', `${shown}: it has ${channels} channels (${layout}), so \`channel: ${model.output.channel}\` is out of range. Use a channel from 0 to ${channels - 1}.`, { replacement: channels - 1 });
  }
  if (channels === 1 && model.output.activation === 'softmax') {
    at(['output', 'activation'], 'warning', 'model/softmax-one-channel', `${shown}: it has one channel; softmax over one channel is always 1. Use \`activation: sigmoid\` (logits) or \`none\` (probabilities).`, { replacement: 'sigmoid' });
  }
  if (model.regionMapping) checkRegionChannels(model.regionMapping, channels, shown, at);
}

/** A model that predicts every region (an evaluation's region view): its channels must hold what the region reads. */
function checkRegionChannels(mapping: RegionMapping, channels: number, shown: string, at: Report): void {
  const problem = regionChannelsProblem(mapping, channels);
  if (problem) at(['output', problem.key], 'error', 'model/region-channels', `${shown}: ${problem.message}`);
}

/** The graph output to read (after the checks above, which refuse a model where none can be chosen). */
export function resolveGraphOutput(info: ModelInfo, model: ModelConfig): string | undefined {
  return chooseOutput(info, model).choice?.name;
}

/** The layout, fixed batch and [H, W] to run with, from the config and the graph (after the checks above). */
export function resolveGraphInput(info: ModelInfo, model: ModelConfig): ResolvedGraphInput {
  const dims = info.inputs[0]?.dims;
  const layout = model.input.layout;
  if (!dims || dims.length !== 4) return { layout, size: model.input.size };
  const [hi, wi] = spatialIndices(layout);
  const h = dims[hi];
  const w = dims[wi];
  const graphSize: [number, number] | undefined = typeof h === 'number' && typeof w === 'number' ? [h, w] : undefined;
  return {
    layout,
    fixedBatch: typeof dims[0] === 'number' ? dims[0] : undefined,
    size: model.input.size ?? graphSize,
  };
}
