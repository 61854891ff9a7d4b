/** Turning onnxruntime's failures and type names into what the engine reports and builds with. */
import { onnx } from 'onnx-proto';
import type { ModelConfig } from '../config/types';
import { InputError } from '../findings';

export const RUN_FAILED_CODE = 'explain/run-failed';

/** A failed run as an InputError on the model: the first line of onnxruntime's message, with what was run. */
export function runError(model: ModelConfig, what: string, err: unknown): InputError {
  const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
  return new InputError(model.path ?? model.name, `Model \`${model.name}\`: ${what} failed: ${message}`, RUN_FAILED_CODE);
}

const ORT_TYPES: Record<string, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  float64: onnx.TensorProto.DataType.DOUBLE,
  float16: onnx.TensorProto.DataType.FLOAT16,
  int64: onnx.TensorProto.DataType.INT64,
  int32: onnx.TensorProto.DataType.INT32,
  int8: onnx.TensorProto.DataType.INT8,
  uint8: onnx.TensorProto.DataType.UINT8,
  bool: onnx.TensorProto.DataType.BOOL,
};

/** `TensorProto.DataType` of an onnxruntime type name (`float32` → FLOAT). */
export function dataTypeOf(type: string): number {
  return ORT_TYPES[type] ?? onnx.TensorProto.DataType.FLOAT;
}
