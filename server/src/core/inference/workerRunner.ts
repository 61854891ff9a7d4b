/**
 * `ModelRunner` in a worker thread, with the same `run`/`predict` API, for a caller that runs one
 * model from its own thread (stress tests): an inference host of its own, one model, one port.
 * Preprocessing and postprocessing stay on the caller's thread, the session runs in the worker.
 */
import type { ModelConfig } from '../config/types';
import type { ImageVolume } from '../io/types';
import type { ModelInfo } from '../onnx';
import { HostConnection, HostedModel } from './hostedModel';
import { InferenceHost } from './inferenceHost';
import type { PredictOptions, Prediction, Probabilities, ReferenceSize, ResolvedModelInput } from './predict';
import type { ProviderAttempt, ProviderName } from './providers';
import type { RunnerDescription, RunnerSettings } from './runner';

export { workerScriptPath } from './inferenceHost';

export class WorkerModelRunner implements RunnerDescription {
  private disposed = false;

  private constructor(
    private readonly host: InferenceHost,
    private readonly connection: HostConnection,
    private readonly hosted: HostedModel,
    readonly model: ModelConfig,
  ) {}

  /** Starts a worker that opens the model's session; resolves once it is ready. */
  static async create(model: ModelConfig, runtime: RunnerSettings, signal?: AbortSignal): Promise<WorkerModelRunner> {
    const host = InferenceHost.start();
    try {
      const { key, description } = await host.open(model, runtime, signal);
      const connection = new HostConnection(host.connect());
      return new WorkerModelRunner(host, connection, new HostedModel(connection, { key, model, description }), model);
    } catch (err) {
      await host.dispose();
      throw err;
    }
  }

  get info(): ModelInfo {
    return this.hosted.description.info;
  }
  get input(): ResolvedModelInput {
    return this.hosted.description.input;
  }
  get provider(): ProviderName {
    return this.hosted.description.provider;
  }
  get attempts(): ProviderAttempt[] {
    return this.hosted.description.attempts;
  }
  get batchSize(): number {
    return this.hosted.description.batchSize;
  }
  get outputName(): string {
    return this.hosted.description.outputName;
  }
  get warnings(): { code: string; message: string }[] {
    return this.hosted.description.warnings;
  }

  /**
   * As `ModelRunner.run`. The inputs' buffers are transferred to the worker: the arrays are
   * empty (detached) afterwards.
   */
  run(inputs: Float32Array[], signal?: AbortSignal): Promise<Float32Array[]> {
    if (this.disposed) return Promise.reject(new Error(`model ${this.model.name}: the runner was disposed`));
    return this.hosted.run(inputs, signal);
  }

  predict(image: ImageVolume, refSize?: ReferenceSize, options?: PredictOptions): Promise<Prediction> {
    if (this.disposed) return Promise.reject(new Error(`model ${this.model.name}: the runner was disposed`));
    return this.hosted.predict(image, refSize, options);
  }

  /** As predict, without the thresholded mask. */
  predictProbabilities(image: ImageVolume, refSize?: ReferenceSize, options?: PredictOptions): Promise<Probabilities> {
    if (this.disposed) return Promise.reject(new Error(`model ${this.model.name}: the runner was disposed`));
    return this.hosted.predictProbabilities(image, refSize, options);
  }

  /** Releases the session and ends the worker. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.connection.close();
    await this.host.dispose();
  }
}
