/**
 * What a model file says about itself, read without creating an inference session: used to
 * check a model against its config (validation) and to describe it on hover.
 */
import { readFile } from 'node:fs/promises';
import { onnx } from 'onnx-proto';
import { InputError } from '../findings';
import { elementTypeName, int64ToNumber } from './protoValues';

/** A fixed size, or the symbolic name of a dynamic axis (`'?'` when the graph gives none). */
export type TensorDim = number | string;

export interface TensorInfo {
  name: string;
  /** onnxruntime's name for the element type: `float32`, `uint8`, … */
  elementType: string;
  /** undefined when the graph declares no shape (onnxruntime infers it at load). */
  dims?: TensorDim[];
}

export interface ModelInfo {
  /** Graph inputs that are not initializers (what a caller feeds). */
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  irVersion: number;
  /** Version of the default (`ai.onnx`) operator set. */
  opset: number;
  /** Every imported operator set by domain (`''` for `ai.onnx`). */
  opsets: Record<string, number>;
  producer: string;
  producerVersion: string;
  /** Values stored in initializers: weights, biases, constants. */
  parameterCount: number;
  nodeCount: number;
  byteLength: number;
}

function tensorInfo(v: onnx.IValueInfoProto): TensorInfo {
  const tensorType = v.type?.tensorType;
  const dims = tensorType?.shape?.dim?.map((d): TensorDim => {
    if (d.dimParam) return d.dimParam;
    // A dim with neither value nor name is decoded with a default value of 0; 0 is not a real size.
    const value = int64ToNumber(d.dimValue);
    return value > 0 ? value : '?';
  });
  return { name: v.name ?? '', elementType: elementTypeName(tensorType?.elemType), ...(tensorType?.shape ? { dims } : {}) };
}

function describeDecodeError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (/index out of range/i.test(message)) return 'the data ends in the middle of a record: the file is truncated, or is not ONNX';
  return `the file is not ONNX protobuf data (${message})`;
}

/** Reads model metadata from bytes; `file` names the source in errors. */
export function parseModelInfo(bytes: Uint8Array, file = 'model bytes'): ModelInfo {
  const notOnnx = (why: string) =>
    new InputError(file, `${file} is not a readable ONNX model: ${why}. Re-export the model or download it again.`, 'model/unreadable');
  if (bytes.length === 0) throw notOnnx('the file is empty');
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw notOnnx(describeDecodeError(err));
  }
  const graph = model.graph;
  if (!graph) throw notOnnx('it has no graph');
  const irVersion = int64ToNumber(model.irVersion);
  if (irVersion <= 0) throw notOnnx('it has no ir_version');

  const initializerNames = new Set((graph.initializer ?? []).map((t) => t.name ?? ''));
  let parameterCount = 0;
  for (const t of graph.initializer ?? []) {
    parameterCount += (t.dims ?? []).reduce<number>((n, d) => n * int64ToNumber(d), 1);
  }
  const opsets: Record<string, number> = {};
  for (const o of model.opsetImport ?? []) opsets[o.domain ?? ''] = int64ToNumber(o.version);

  return {
    // Before ir_version 4, initializers had to be listed among the inputs too.
    inputs: (graph.input ?? []).filter((v) => !initializerNames.has(v.name ?? '')).map(tensorInfo),
    outputs: (graph.output ?? []).map(tensorInfo),
    irVersion,
    opset: opsets[''] ?? opsets['ai.onnx'] ?? 0,
    opsets,
    producer: model.producerName ?? '',
    producerVersion: model.producerVersion ?? '',
    parameterCount,
    nodeCount: graph.node?.length ?? 0,
    byteLength: bytes.length,
  };
}

/** Reads model metadata from an `.onnx` file (or bytes already read). */
export async function readModelInfo(source: Uint8Array | string): Promise<ModelInfo> {
  if (typeof source !== 'string') return parseModelInfo(source);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(source);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a folder' : `cannot be read (${code ?? String(err)})`;
    throw new InputError(source, `${source} ${why}; check the model's \`path\`.`, 'model/missing-file');
  }
  return parseModelInfo(bytes, source);
}

/** `float32[N,3,256,256]`, or `float32[?]` when the shape is unknown. */
export function formatTensorType(t: TensorInfo): string {
  return `${t.elementType}[${t.dims ? t.dims.join(',') : '?'}]`;
}

/** A few Markdown lines for hovers and reports. */
export function describeModel(info: ModelInfo): string {
  const lines = [
    ...info.inputs.map((t) => `- input \`${t.name}\`: \`${formatTensorType(t)}\``),
    ...info.outputs.map((t) => `- output \`${t.name}\`: \`${formatTensorType(t)}\``),
    `- opset ${info.opset}, ir_version ${info.irVersion}${info.producer ? `, from ${info.producer}${info.producerVersion ? ` ${info.producerVersion}` : ''}` : ''}`,
    // The file's size is the hover's header (one size, in one place).
    `- ${formatCount(info.parameterCount)} parameters, ${info.nodeCount} nodes`,
  ];
  return lines.join('\n');
}

function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}
