/**
 * When diagnostics are computed and published. Per document:
 *  1. at once (debounced while typing): the config's own findings from the main thread's parse,
 *     plus the engine findings last computed for the same dataset/model settings;
 *  2. a fast engine pass in the worker (dataset, models, split metadata), published on arrival;
 *  3. the image-derived pass in the worker with work-done progress, cached per settings.
 * A newer edit cancels the older fast pass, and the image pass when the settings it checks changed.
 */
import type { Connection } from 'vscode-languageserver/node';
import type { MedsegConfig } from '../../core/config';
import type { Finding } from '../../core/findings';
import type { ConfigDocuments, OpenConfig } from '../documents';
import { CancelledError, type EngineWorker, type ValidationOutcome } from '../engine';
import type { ProgressFactory, ProgressHandle } from '../progress';
import type { SettingsStore } from '../settings';
import { toDiagnostics } from './toDiagnostics';

interface Computed {
  key: string;
  outcome: ValidationOutcome;
}

interface DocumentState {
  timer?: NodeJS.Timeout;
  fast?: AbortController;
  imagePass?: { key: string; scanKey: string; controller: AbortController; done: Promise<void> };
  meta?: Computed;
  images?: Computed;
  /** Settings changed while an image pass ran: start a new one when it ends. */
  imagePassWanted?: boolean;
  published?: string;
}

/** How long the config's own findings wait for the fast engine pass before they are shown alone. */
const FAST_PASS_GRACE_MS = 250;

export type ProgressReport = (message: string, fraction?: number) => void;

export type Reason = 'open' | 'change' | 'save' | 'request';

/** The parts of a config that engine findings depend on. */
export function validationKey(config: MedsegConfig): string {
  return JSON.stringify({ dataset: config.dataset, splits: config.splits, models: config.models, cache: config.runtime.cache, dir: config.dir });
}

/** The parts of a config that decoding images depends on. */
export function scanKey(config: MedsegConfig): string {
  return JSON.stringify({ dataset: config.dataset, cache: config.runtime.cache, dir: config.dir });
}

export class DiagnosticsScheduler {
  private readonly states = new Map<string, DocumentState>();

  constructor(
    private readonly connection: Connection,
    private readonly configs: ConfigDocuments,
    private readonly checks: EngineWorker,
    private readonly settings: SettingsStore,
    private readonly progress: ProgressFactory,
    private readonly log: (message: string) => void,
    /** Where checks may write (the scan cache): undefined anywhere; the workspace folders when it is untrusted. */
    private readonly writableRoots: () => string[] | undefined = () => undefined,
  ) {}

  private state(uri: string): DocumentState {
    let s = this.states.get(uri);
    if (!s) this.states.set(uri, (s = {}));
    return s;
  }

  schedule(uri: string, reason: Reason): void {
    const s = this.state(uri);
    clearTimeout(s.timer);
    if (reason !== 'change') {
      void this.run(uri, reason);
      return;
    }
    void this.settings.get(uri).then((settings) => {
      clearTimeout(s.timer);
      s.timer = setTimeout(() => void this.run(uri, reason), settings.validation.debounceMs);
    });
  }

  closed(uri: string): void {
    const s = this.states.get(uri);
    if (s) {
      clearTimeout(s.timer);
      s.fast?.abort();
      s.imagePass?.controller.abort();
    }
    this.states.delete(uri);
    this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  /** The last engine outcome for a document (image pass when it is current), for hovers. */
  latest(uri: string): ValidationOutcome | undefined {
    const s = this.states.get(uri);
    return s?.images?.outcome ?? s?.meta?.outcome;
  }

  /** `medseg/validate`: both passes now (images when asked), waiting for them; progress goes to `onProgress`. */
  async validateNow(uri: string, images: boolean, onProgress?: ProgressReport): Promise<ValidationOutcome | undefined> {
    await this.run(uri, 'request', images, onProgress);
    const s = this.states.get(uri);
    // A pass for older settings may hand over to one for the current settings: wait for the last.
    for (let i = 0; images && s?.imagePass && i < 4; i++) await s.imagePass.done;
    const open = this.configs.get(uri);
    const key = open?.parsed.config ? validationKey(open.parsed.config) : undefined;
    if (images && s?.images?.key === key) return s?.images?.outcome;
    return s?.meta?.key === key ? s?.meta?.outcome : undefined;
  }

  private async run(uri: string, reason: Reason, forceImages?: boolean, onProgress?: ProgressReport): Promise<void> {
    try {
      await this.runUnguarded(uri, reason, forceImages, onProgress);
    } catch (err) {
      if (!(err instanceof CancelledError)) this.log(`validating ${uri} failed: ${(err as Error).stack ?? err}`);
    }
  }

  private async runUnguarded(uri: string, reason: Reason, forceImages?: boolean, onProgress?: ProgressReport): Promise<void> {
    const open = this.configs.get(uri);
    if (!open) return;
    const s = this.state(uri);
    s.fast?.abort();
    const config = open.parsed.config;
    if (!config) {
      // Nothing beyond the text can be checked. A running image pass goes on: a syntax error
      // while typing is usually gone a keystroke later, and decoding is the expensive part.
      this.publish(open, []);
      return;
    }
    const key = validationKey(config);
    // Images decoded for other dataset settings are of no use; for other split or model
    // settings they are (the pass finishes, fills the scan cache, and a new pass follows).
    if (s.imagePass && s.imagePass.scanKey !== scanKey(config)) s.imagePass.controller.abort();
    const cached = s.images?.key === key ? s.images : s.meta?.key === key ? s.meta : undefined;
    // With new settings the old engine findings are void; rather than blanking them and showing
    // them again a moment later, the config's own findings wait a little for the fast pass. A
    // document with nothing shown yet (just opened) has nothing to blank: its own findings go out
    // at once, so an editor shows the first diagnostics without waiting for the engine.
    let grace: NodeJS.Timeout | undefined;
    if (cached) this.publish(open, cached.outcome.findings);
    else if (s.published === undefined) this.publish(open, []);
    else grace = setTimeout(() => this.publish(open, []), FAST_PASS_GRACE_MS);

    const controller = new AbortController();
    s.fast = controller;
    let outcome: ValidationOutcome;
    try {
      outcome = await this.checks.run('validate', { file: open.file, text: open.text, images: false, writableRoots: this.writableRoots() }, { signal: controller.signal });
    } finally {
      clearTimeout(grace);
      if (s.fast === controller) s.fast = undefined;
    }
    // Unchanged settings but different findings: the files on disk changed, so images must be re-read.
    const diskChanged = s.meta?.key === key && JSON.stringify(s.meta.outcome.findings) !== JSON.stringify(outcome.findings);
    s.meta = { key, outcome };
    if (s.images && (s.images.key !== key || diskChanged)) s.images = undefined;
    const latest = this.configs.get(uri);
    if (latest?.parsed.config && validationKey(latest.parsed.config) === key) this.publish(latest, (s.images ?? s.meta).outcome.findings);

    const settings = await this.settings.get(uri);
    const wanted = forceImages ?? settings.validation.images;
    const rerun = reason === 'open' || reason === 'save' || reason === 'request';
    if (!wanted || !outcome.configValid || outcome.cases === 0) return;
    if (s.imagePass && !s.imagePass.controller.signal.aborted) {
      if (s.imagePass.key === key) return; // already on its way
      // Another pass is finishing for older settings; it starts this one when done.
      s.imagePassWanted = true;
      return;
    }
    if (s.images?.key === key && !rerun) return;
    this.startImagePass(uri, open, onProgress);
  }

  private startImagePass(uri: string, open: OpenConfig, onProgress?: ProgressReport): void {
    const s = this.state(uri);
    const config = open.parsed.config!;
    const key = validationKey(config);
    s.imagePassWanted = false;
    const controller = new AbortController();
    const done = (async () => {
      // A request reports on its own token; background checks get a progress of their own.
      const progress: ProgressHandle = onProgress
        ? { report: onProgress, done: () => undefined }
        : await this.progress.begin('MedSeg: checking images', { cancellable: true, message: 'Reading images' });
      const sub = progress.token?.onCancellationRequested(() => controller.abort());
      try {
        const outcome = await this.checks.run(
          'validate',
          { file: open.file, text: open.text, images: true, writableRoots: this.writableRoots() },
          { signal: controller.signal, onProgress: (message, fraction) => progress.report(message, fraction) },
        );
        s.images = { key, outcome };
        const latest = this.configs.get(uri);
        if (latest?.parsed.config && validationKey(latest.parsed.config) === key) this.publish(latest, outcome.findings);
      } catch (err) {
        if (!(err instanceof CancelledError)) this.log(`image checks of ${uri} failed: ${(err as Error).stack ?? err}`);
      } finally {
        sub?.dispose();
        progress.done();
        if (s.imagePass?.controller === controller) s.imagePass = undefined;
        const latest = this.configs.get(uri);
        if (s.imagePassWanted && this.states.get(uri) === s && latest?.parsed.config && validationKey(latest.parsed.config) !== key) {
          this.startImagePass(uri, latest);
        }
      }
    })();
    s.imagePass = { key, scanKey: scanKey(config), controller, done };
  }

  private publish(open: OpenConfig, engineFindings: readonly Finding[]): void {
    const s = this.states.get(open.uri);
    if (!s) return;
    const diagnostics = toDiagnostics([...open.parsed.findings, ...engineFindings], open.parsed);
    const text = JSON.stringify(diagnostics);
    if (text === s.published) return;
    s.published = text;
    this.connection.sendDiagnostics({ uri: open.uri, version: open.version, diagnostics });
  }
}
