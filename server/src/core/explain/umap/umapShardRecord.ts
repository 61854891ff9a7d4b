/**
 * What `medseg umap --shard I/N` keeps for the merge: the features of the shard's images, every
 * map's rows as Float32, in `shard/umap_features.bin`, with what they were made from (as the
 * evaluation's shard parts record it). Binary, not JSON: a Float32 written as decimal text takes
 * up to 15 characters and a parse to read back exactly; here it is 4 bytes, copied as they are.
 *
 * Layout (little-endian): the 8 bytes `MSUMAPF\n`, a uint32 format version, a uint32 header
 * length, the header as UTF-8 JSON padded with spaces to a multiple of 4 bytes, then per map of
 * the header its `rows × width` Float32 values, row by row, at its `offset` from the end of the
 * header. A map's rows are the header's `ids` in order, less the unreadable images and those its
 * model failed on.
 */
import { endianness } from 'node:os';
import { existsSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import type { Finding } from '../../findings';
import { InputError } from '../../findings';
import { writeFileAtomic } from '../../io';
import type { ImageList } from '../../evaluate/shardParts';
import type { Shard } from '../../evaluate/selectCases';
import { resultPath } from '../../results/resultPath';
import type { FeatureSource } from './umapFeatures';

export const UMAP_FEATURES_FILE = 'umap_features.bin';
export const UMAP_FEATURES_VERSION = 1;
const MAGIC = Buffer.from('MSUMAPF\n', 'latin1');
const PREFIX = MAGIC.length + 8;
/** A header is ids and a few findings: far below this; more means the file is not ours. */
const MAX_HEADER = 1 << 30;

export interface UmapFeatureMap {
  /** `images`, or `<model>:<layer>`. */
  name: string;
  features: 'images' | 'layer';
  model?: string;
  layer?: string;
  model_sha256?: string;
  /** Features per image (0 when no image is on this map in this shard). */
  width: number;
  rows: number;
  /** Images of this shard its model failed on, in map order, and the first failure's message. */
  failed: string[];
  failure_message?: string;
  /** Byte offset of its Float32 rows from the end of the header. */
  offset: number;
}

export interface UmapFeatureHeader {
  version: typeof UMAP_FEATURES_VERSION;
  shard: Shard;
  config: string;
  config_sha256: string;
  engine_version: string;
  build: string;
  /** The dataset's split assignment (evaluate/shardParts datasetDigest). */
  dataset_sha256: string;
  /** The settings the features and the image sample depend on. */
  settings: { features: string; layer: string; max_points: number; seed: number };
  /** Every image on the maps, all shards together: count and SHA-256 of the ids in map order. */
  images: ImageList;
  /** This shard's images, in map order. */
  ids: string[];
  unreadable: string[];
  /** Models with no feature map (the merge reports them as the single run does). */
  model_findings: Finding[];
  maps: UmapFeatureMap[];
}

export function umapFeaturesFile(dir: string): string {
  return resultPath(dir, 'shard', UMAP_FEATURES_FILE);
}

export function hasUmapFeatures(dir: string): boolean {
  return existsSync(umapFeaturesFile(dir));
}

/** The little-endian bytes of `data` (a view on a little-endian machine, a swapped copy elsewhere). */
function littleEndian(data: Float32Array): Buffer {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return endianness() === 'LE' ? bytes : Buffer.from(bytes).swap32();
}

/**
 * Writes the shard's features (the caller holds the folder's lock). Each source's matrix is
 * taken (empty after). Its written rows must be `ids` less the unreadable and failed images.
 */
export async function writeUmapFeatures(dir: string, header: Omit<UmapFeatureHeader, 'maps' | 'version'>, sources: readonly FeatureSource[]): Promise<UmapFeatureHeader> {
  const all = new Uint8Array(header.ids.length).fill(1);
  const unreadable = new Set(header.unreadable);
  const blocks: Buffer[] = [];
  const maps: UmapFeatureMap[] = sources.map((s) => {
    const { data, rows, width } = s.matrix.take(all);
    const failed = new Set(s.failed);
    const expected = header.ids.filter((id) => !unreadable.has(id) && !failed.has(id));
    if (rows.length !== expected.length || rows.some((r, k) => header.ids[r] !== expected[k])) throw new Error(`map ${s.name}: ${rows.length} rows written for ${expected.length} images`);
    blocks.push(littleEndian(data));
    return {
      name: s.name,
      features: s.features,
      ...(s.model !== undefined ? { model: s.model, layer: s.layer, model_sha256: s.modelSha256 } : {}),
      width,
      rows: rows.length,
      failed: s.failed,
      ...(s.failureMessage !== undefined ? { failure_message: s.failureMessage } : {}),
      offset: 0,
    };
  });
  let at = 0;
  maps.forEach((m, i) => {
    m.offset = at;
    at += blocks[i].length;
  });
  const full: UmapFeatureHeader = { version: UMAP_FEATURES_VERSION, ...header, maps };
  const text = JSON.stringify(full);
  const json = Buffer.from(text + ' '.repeat((4 - (Buffer.byteLength(text) % 4)) % 4), 'utf8');
  const prefix = Buffer.alloc(PREFIX);
  MAGIC.copy(prefix);
  prefix.writeUInt32LE(UMAP_FEATURES_VERSION, MAGIC.length);
  prefix.writeUInt32LE(json.length, MAGIC.length + 4);
  await writeFileAtomic(umapFeaturesFile(dir), Buffer.concat([prefix, json, ...blocks]));
  return full;
}

function notOurs(dir: string, why: string): InputError {
  const file = umapFeaturesFile(dir);
  return new InputError(file, `${file} is not a UMAP feature record this medseg reads (${why}): re-run \`medseg umap <config> --shard I/N --output ${dir}\` for that shard.`, 'merge/not-a-shard');
}

/** The header of a shard's feature record (the rows are read by `readUmapFeatureRows`). */
export async function readUmapFeatureHeader(dir: string): Promise<UmapFeatureHeader> {
  const handle = await open(umapFeaturesFile(dir), 'r').catch((err: Error) => {
    throw notOurs(dir, err.message);
  });
  try {
    const prefix = Buffer.alloc(PREFIX);
    const { bytesRead } = await handle.read(prefix, 0, PREFIX, 0);
    if (bytesRead < PREFIX || !prefix.subarray(0, MAGIC.length).equals(MAGIC)) throw notOurs(dir, 'it does not start as one');
    const version = prefix.readUInt32LE(MAGIC.length);
    if (version !== UMAP_FEATURES_VERSION) throw notOurs(dir, `format version ${version}, this medseg reads ${UMAP_FEATURES_VERSION}`);
    const length = prefix.readUInt32LE(MAGIC.length + 4);
    if (length > MAX_HEADER) throw notOurs(dir, 'its header is too long');
    const json = Buffer.alloc(length);
    const read = await handle.read(json, 0, length, PREFIX);
    if (read.bytesRead < length) throw notOurs(dir, 'it is cut short');
    let header: UmapFeatureHeader;
    try {
      header = JSON.parse(json.toString('utf8')) as UmapFeatureHeader;
    } catch (err) {
      throw notOurs(dir, `its header is not JSON: ${(err as Error).message}`);
    }
    if (header?.version !== UMAP_FEATURES_VERSION || !Array.isArray(header.ids) || !Array.isArray(header.maps) || !header.shard) throw notOurs(dir, 'its header lacks ids, maps or the shard');
    const size = (await handle.stat()).size - PREFIX - length;
    const unreadable = new Set(header.unreadable ?? []);
    for (const m of header.maps) {
      const failed = new Set(m.failed ?? []);
      if (header.ids.filter((id) => !unreadable.has(id) && !failed.has(id)).length !== m.rows) throw notOurs(dir, `map ${m.name} has ${m.rows} rows, not one per image of the shard that is on it`);
      if (!(m.offset % 4 === 0 && m.rows >= 0 && m.width >= 0 && m.offset + 4 * m.rows * m.width <= size)) throw notOurs(dir, `map ${m.name}'s rows lie outside the file (cut short?)`);
    }
    return header;
  } finally {
    await handle.close();
  }
}

/** The Float32 rows of every map of `header` (as read by readUmapFeatureHeader from the same folder). */
export async function readUmapFeatureRows(dir: string, header: UmapFeatureHeader): Promise<Float32Array[]> {
  const bytes = await readFile(umapFeaturesFile(dir));
  const start = PREFIX + bytes.readUInt32LE(MAGIC.length + 4);
  return header.maps.map((m) => {
    const length = 4 * m.rows * m.width;
    if (start + m.offset + length > bytes.length) throw notOurs(dir, `map ${m.name}'s rows lie outside the file (cut short?)`);
    // A copy of its own: aligned, and in this machine's byte order.
    const rows = new Float32Array(m.rows * m.width);
    const view = Buffer.from(rows.buffer);
    view.set(bytes.subarray(start + m.offset, start + m.offset + length));
    if (endianness() !== 'LE') view.swap32();
    return rows;
  });
}
