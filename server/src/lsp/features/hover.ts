/**
 * Hover: the schema's documentation of every key; on a model's `path`, what the ONNX file says
 * about itself and which output is the segmentation (also on its `output`); on `splits` and `dataset`, the case counts of the last validation.
 */
import { dirname, resolve } from 'node:path';
import { MarkupKind, type Hover, type Position } from 'vscode-languageserver/node';
import { describeOutputChoice, type OutputChoiceModel } from '../../core/inference';
import { describeModel, formatTensorType, type ModelInfo } from '../../core/onnx';
import { formatByteSize } from '../../core/util/byteSize';
import { rawConfigOf, type OpenConfig } from '../documents';
import type { ValidationOutcome } from '../engine';
import { nodeAt } from '../yaml';
import { modelInfoOf } from './fileFacts';
import { keyDocumentation } from './schemaInfo';

const SPLIT_ORDER = ['train', 'val', 'test', 'none'];

function countsTable(outcome: ValidationOutcome): string {
  const rows = Object.entries(outcome.splits).sort((a, b) => SPLIT_ORDER.indexOf(a[0]) - SPLIT_ORDER.indexOf(b[0]));
  const lines = ['| split | images |', '| --- | ---: |', ...rows.map(([s, n]) => `| ${s === 'none' ? '(no split)' : s} | ${n} |`), `| **all** | **${outcome.cases}** |`];
  return lines.join('\n');
}

/** The raw model entry as the output choice reads it (defaults as in the schema). */
function choiceModel(model: Record<string, unknown>, index: number): OutputChoiceModel {
  const input = (model.input ?? {}) as Record<string, unknown>;
  const output = (model.output ?? {}) as Record<string, unknown>;
  return {
    index,
    input: { layout: input.layout === 'NHWC' ? 'NHWC' : 'NCHW', size: Array.isArray(input.size) ? (input.size as [number, number]) : undefined },
    output: { name: typeof output.name === 'string' ? output.name : undefined },
  };
}

/** On `output` or `output.name` of an ONNX model: its outputs and which one is the segmentation. */
async function outputHover(open: OpenConfig, index: number): Promise<string | undefined> {
  const models = rawConfigOf(open)?.models;
  const model = Array.isArray(models) ? (models[index] as Record<string, unknown> | undefined) : undefined;
  if (typeof model?.path !== 'string') return undefined;
  const info = await modelInfoOf(resolve(dirname(open.file), model.path));
  if (info === undefined || info instanceof Error) return undefined;
  return [...info.outputs.map((t) => `- output \`${t.name}\`: \`${formatTensorType(t)}\``), '', describeOutputChoice(info, choiceModel(model, index))].join('\n');
}

async function modelHover(open: OpenConfig, index: number): Promise<string | undefined> {
  const models = rawConfigOf(open)?.models;
  const model = Array.isArray(models) ? (models[index] as Record<string, unknown> | undefined) : undefined;
  if (typeof model?.path !== 'string') return undefined;
  const file = resolve(dirname(open.file), model.path);
  const info: ModelInfo | Error | undefined = await modelInfoOf(file);
  const name = typeof model.name === 'string' ? model.name : model.path;
  if (info === undefined) return `**Model \`${name}\`**\n\n\`${file}\` does not exist.`;
  if (info instanceof Error) return `**Model \`${name}\`**\n\n${info.message}`;
  return [`**Model \`${name}\`** · ONNX · ${formatByteSize(info.byteLength)}`, '', describeModel(info), '', describeOutputChoice(info, choiceModel(model, index))].join('\n');
}

export async function hoverConfig(open: OpenConfig, position: Position, latest: ValidationOutcome | undefined): Promise<Hover | null> {
  const node = nodeAt(open.text, position);
  if (!node) return null;
  const parts: string[] = [];
  const [a, b, c] = node.path;
  if (node.part === 'value' && a === 'models' && typeof b === 'number' && c === 'path' && node.path.length === 3) {
    const text = await modelHover(open, b);
    if (text) parts.push(text);
  }
  if (a === 'models' && typeof b === 'number' && c === 'output' && (node.path.length === 3 || node.path[3] === 'name')) {
    const text = await outputHover(open, b);
    if (text) parts.push(text);
  }
  const doc = keyDocumentation(node.path);
  if (doc) parts.push(doc);
  if (node.part === 'key' && node.path.length === 1 && (a === 'splits' || a === 'dataset') && latest?.configValid) {
    parts.push(`Cases per split (last check):\n\n${countsTable(latest)}`);
  }
  if (parts.length === 0) return null;
  return { contents: { kind: MarkupKind.Markdown, value: parts.join('\n\n---\n\n') }, range: node.range };
}
