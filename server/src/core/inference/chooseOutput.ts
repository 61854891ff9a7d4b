/**
 * Which graph output is the segmentation. Deep-supervision exports often list an auxiliary head
 * (at a lower resolution) first, so "the first output" silently scores the wrong tensor: the
 * config may name the output; unnamed, a single output is taken, and among several the one whose
 * height and width are the input's, with a warning that says so; anything else is refused with
 * the outputs listed.
 */
import type { ModelConfig } from '../config/types';
import { didYouMean } from '../config/schemaFindings';
import { formatTensorType, type ModelInfo, type TensorDim, type TensorInfo } from '../onnx';

export const OUTPUT_NOT_FOUND = 'model/output-not-found';
export const MULTIPLE_OUTPUTS = 'model/multiple-outputs';

/** What the choice reads of a model's config (a typed model, or an editor's raw one). */
export interface OutputChoiceModel {
  index: ModelConfig['index'];
  input: Pick<ModelConfig['input'], 'layout' | 'size'>;
  output: Pick<ModelConfig['output'], 'name'>;
}

export interface OutputChoice {
  /** Index in the graph's outputs (and in onnxruntime's `outputNames`). */
  index: number;
  name: string;
  /** Named in the config, the graph's only output, or chosen by its spatial size. */
  how: 'named' | 'only' | 'shape';
}

export interface OutputProblem {
  severity: 'error' | 'warning';
  code: string;
  /** Without the `Model \`name\`: ` prefix. */
  message: string;
  configPath: (string | number)[];
  fix?: Record<string, unknown>;
}

/** `aux` float32[N,1,16,16], `seg` float32[N,1,32,32]: the outputs as a finding lists them. */
export function listOutputs(outputs: readonly TensorInfo[]): string {
  return outputs.map((t) => `\`${t.name}\` ${formatTensorType(t)}`).join(', ');
}

function spatialDims(dims: readonly TensorDim[] | undefined, layout: 'NCHW' | 'NHWC'): [TensorDim, TensorDim] | undefined {
  if (!dims) return undefined;
  if (dims.length === 3) return [dims[1], dims[2]];
  if (dims.length !== 4) return undefined;
  return layout === 'NCHW' ? [dims[2], dims[3]] : [dims[1], dims[2]];
}

/** A fixed size equal to the input's (or the configured size), or the same named dynamic axis. */
function sameAxis(out: TensorDim, input: TensorDim | undefined, configured: number | undefined): boolean {
  if (typeof out === 'number') return out === input || out === configured;
  return out !== '?' && out === input;
}

function atInputSize(output: TensorInfo, info: ModelInfo, model: OutputChoiceModel): boolean {
  const layout = model.input.layout;
  const o = spatialDims(output.dims, layout);
  const i = spatialDims(info.inputs[0]?.dims, layout);
  if (!o) return false;
  const size = model.input.size;
  return sameAxis(o[0], i?.[0], size?.[0]) && sameAxis(o[1], i?.[1], size?.[1]);
}

export function chooseOutput(info: ModelInfo, model: OutputChoiceModel): { choice?: OutputChoice; problem?: OutputProblem } {
  const outputs = info.outputs;
  if (outputs.length === 0) return {};
  const wanted = model.output.name;
  if (wanted !== undefined) {
    const index = outputs.findIndex((t) => t.name === wanted);
    if (index >= 0) return { choice: { index, name: wanted, how: 'named' } };
    const suggestion = didYouMean(wanted, outputs.map((t) => t.name));
    return {
      problem: {
        severity: 'error',
        code: OUTPUT_NOT_FOUND,
        message: `\`output.name: ${wanted}\` names no output of the graph; its outputs are ${listOutputs(outputs)}. Set \`name\` to the segmentation output${suggestion ? ` (did you mean \`${suggestion}\`?)` : ''}.`,
        configPath: ['models', model.index, 'output', 'name'],
        ...(suggestion ? { fix: { replacement: suggestion } } : {}),
      },
    };
  }
  if (outputs.length === 1) return { choice: { index: 0, name: outputs[0].name, how: 'only' } };
  const matching = outputs.map((t, index) => ({ t, index })).filter(({ t }) => atInputSize(t, info, model));
  const listed = `the graph has ${outputs.length} outputs (${listOutputs(outputs)})`;
  if (matching.length === 1) {
    const { t, index } = matching[0];
    return {
      choice: { index, name: t.name, how: 'shape' },
      problem: {
        severity: 'warning',
        code: MULTIPLE_OUTPUTS,
        message: `${listed}; \`${t.name}\` is used, the only one at the input's height and width. Name it to make the choice explicit: \`output: { name: ${t.name} }\`.`,
        configPath: ['models', model.index, 'path'],
      },
    };
  }
  const why = matching.length === 0 ? "none is at the input's height and width" : `${matching.length} are at the input's height and width (${matching.map(({ t }) => `\`${t.name}\``).join(', ')})`;
  return {
    problem: {
      severity: 'error',
      code: MULTIPLE_OUTPUTS,
      message: `${listed} and ${why}, so the engine cannot tell which one is the segmentation. Name it: \`output: { name: ... }\`.`,
      configPath: ['models', model.index, 'path'],
    },
  };
}

const HOW: Record<OutputChoice['how'], string> = {
  named: 'named in the config',
  only: "the graph's only output",
  shape: "the only one at the input's height and width; name it (`output: { name: … }`) to make the choice explicit",
};

/** One Markdown line for hovers: which output the engine reads as the segmentation, or why none. */
export function describeOutputChoice(info: ModelInfo, model: OutputChoiceModel): string {
  const { choice, problem } = chooseOutput(info, model);
  if (choice) return `Segmentation output: \`${choice.name}\` (${HOW[choice.how]}).`;
  return `Segmentation output: none. ${problem?.message ?? 'The graph has no output.'}`;
}
