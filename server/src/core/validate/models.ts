/** Model checks that need no inference: the file is there, is ONNX, and fits the config. */
import { stat } from 'node:fs/promises';
import type { MedsegConfig } from '../config';
import type { Finding } from '../findings';
// Not the inference index: validation must not load onnxruntime (the checks worker never runs a model).
import { checkModelAgainstConfig } from '../inference/checkModel';
import { readModelInfo } from '../onnx';
import { pushAll } from '../util/arrays';

export async function checkModelFiles(config: MedsegConfig): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const model of config.models) {
    if (!model.path) continue;
    const configPath = ['models', model.index, 'path'];
    const size = await stat(model.path).then((s) => (s.isFile() ? s.size : -1), () => undefined);
    if (size === undefined || size < 0) {
      findings.push({
        code: 'model/missing-file',
        severity: 'error',
        message: `Model \`${model.name}\`: ${model.path} ${size === undefined ? 'does not exist' : 'is not a file'}; check \`path\` (relative to the config).`,
        configPath,
        location: { file: config.file },
      });
      continue;
    }
    try {
      const info = await readModelInfo(model.path);
      pushAll(findings, checkModelAgainstConfig(info, model));
    } catch (err) {
      findings.push({
        code: 'model/unreadable',
        severity: 'error',
        message: `Model \`${model.name}\`: ${(err as Error).message}`,
        configPath,
        location: { file: config.file },
      });
    }
  }
  return findings;
}
