/** A JSON file of scan results keyed by file identity (path, size, mtime); written atomically. */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../io/atomic';
import { WriteError } from '../io/writeErrors';
import type { CaseScan } from './index';

/** What a scan entry holds; a file of another version is read as empty (its entries lack or mean other facts). */
export const SCAN_CACHE_VERSION = 3;

export class ScanCache {
  private dirty = false;
  private constructor(
    private readonly file: string,
    private readonly entries: Map<string, CaseScan>,
  ) {}

  static async open(file: string): Promise<ScanCache> {
    try {
      const parsed = JSON.parse(await readFile(file, 'utf8')) as { version?: number; entries?: [string, CaseScan][] };
      return new ScanCache(file, new Map(parsed.version === SCAN_CACHE_VERSION ? (parsed.entries ?? []) : []));
    } catch {
      return new ScanCache(file, new Map()); // missing or damaged: start afresh
    }
  }

  get(key: string): CaseScan | undefined {
    return this.entries.get(key);
  }

  set(key: string, scan: CaseScan): void {
    this.entries.set(key, scan);
    this.dirty = true;
  }

  /**
   * Saves what changed. A cache that cannot be written (a read-only share, a full disk) is returned,
   * not thrown: the scan it would have kept is complete, so validation goes on and says so.
   */
  async save(): Promise<WriteError | undefined> {
    if (!this.dirty) return undefined;
    try {
      await writeFileAtomic(this.file, JSON.stringify({ version: SCAN_CACHE_VERSION, entries: [...this.entries] }));
    } catch (err) {
      if (err instanceof WriteError) return err;
      throw err;
    }
    this.dirty = false;
    return undefined;
  }
}
