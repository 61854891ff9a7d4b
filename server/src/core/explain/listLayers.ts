/**
 * The feature maps of each ONNX model of a config, and which one `layer: auto` takes: for
 * `medseg explain --list-layers`, and for editor hover/completion of `explain.gradcam.layer`.
 */
import { readFile } from 'node:fs/promises';
import type { MedsegConfig } from '../config/types';
import { InputError } from '../findings';
import { prepareModel } from '../inference';
import { analyzeGraph } from './graphTopology';
import { decodeModel } from './graphSurgery';
import { chooseAutoLayer, type LayerCandidate } from './layers';
import { probeCandidates } from './layerProbe';

export interface ModelLayers {
  model: string;
  candidates: LayerCandidate[];
  /** What `auto` chooses. */
  auto?: string;
  /** Why the model could not be probed. */
  error?: { code: string; message: string };
}

export async function listModelLayers(config: MedsegConfig, signal?: AbortSignal): Promise<ModelLayers[]> {
  const out: ModelLayers[] = [];
  for (const model of config.models.filter((m) => m.path)) {
    signal?.throwIfAborted();
    try {
      const bytes = await readFile(model.path!).catch((err: NodeJS.ErrnoException) => {
        throw new InputError(model.path!, `${model.path} cannot be read (${err.code}); check the model's \`path\`.`, 'model/missing-file');
      });
      const { input, fixedBatch, outputName } = prepareModel(model, bytes, config.runtime);
      const proto = decodeModel(bytes, model.path);
      const candidates = await probeCandidates(proto, analyzeGraph(proto.graph!), input, config.runtime, fixedBatch, model, outputName);
      out.push({ model: model.name, candidates, auto: chooseAutoLayer(candidates)?.name });
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      out.push({ model: model.name, candidates: [], error: { code: err.code, message: err.message } });
    }
  }
  return out;
}
