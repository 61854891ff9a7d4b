/**
 * Settings pulled from the client (`workspace/configuration`, section `medseg`), per document,
 * re-read after `workspace/didChangeConfiguration`. Defaults hold for clients that have none.
 */
import type { Connection } from 'vscode-languageserver/node';

export interface MedsegSettings {
  validation: {
    /** Decode images in the background for image-derived checks (cached). */
    images: boolean;
    /** Quiet time after typing before the checks run. */
    debounceMs: number;
  };
}

export const DEFAULT_SETTINGS: MedsegSettings = { validation: { images: true, debounceMs: 60 } };

function merge(raw: unknown): MedsegSettings {
  const v = (raw && typeof raw === 'object' ? (raw as Record<string, unknown>).validation : undefined) as Record<string, unknown> | undefined;
  return {
    validation: {
      images: typeof v?.images === 'boolean' ? v.images : DEFAULT_SETTINGS.validation.images,
      debounceMs: typeof v?.debounceMs === 'number' && v.debounceMs >= 0 ? v.debounceMs : DEFAULT_SETTINGS.validation.debounceMs,
    },
  };
}

export class SettingsStore {
  private readonly cache = new Map<string, Promise<MedsegSettings>>();
  supported = false;

  constructor(private readonly connection: Connection) {}

  get(uri: string): Promise<MedsegSettings> {
    if (!this.supported) return Promise.resolve(DEFAULT_SETTINGS);
    let settings = this.cache.get(uri);
    if (!settings) {
      settings = this.connection.workspace
        .getConfiguration({ scopeUri: uri, section: 'medseg' })
        .then(merge, () => DEFAULT_SETTINGS);
      this.cache.set(uri, settings);
    }
    return settings;
  }

  /** After `workspace/didChangeConfiguration`: ask again next time. */
  clear(): void {
    this.cache.clear();
  }

  forget(uri: string): void {
    this.cache.delete(uri);
  }
}
