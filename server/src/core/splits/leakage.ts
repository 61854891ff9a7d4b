/**
 * Leakage between splits: one patient (or one volume's slices) in several splits, identical
 * pixels in two splits, and perceptual near-duplicates in two splits. Any of them lets a model
 * be tested on what it was trained on.
 */
import { perItemOrAggregated, previewList } from '../dataset/findingHelpers';
import type { ConfigPath, Finding, RelatedLocation } from '../findings';
import { findHashPairs } from './nearDuplicates';
import { exposureRank, splitsInOrder, type ScannedCase, type SplitCase } from './splitCases';

/** Images named per split in a leak message. */
const IMAGES_PER_SPLIT = 3;
/** Near-duplicate pairs listed at most; beyond it the count is a lower bound (the search stops). */
const MAX_LISTED_PAIRS = 1000;

function byExposure(a: ScannedCase, b: ScannedCase): number {
  return exposureRank(a.split) - exposureRank(b.split) || (a.case.id < b.case.id ? -1 : a.case.id > b.case.id ? 1 : 0);
}

function groupBy<K, T>(items: readonly T[], key: (c: T) => K | undefined): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === undefined) continue;
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

function imagesPerSplit(members: readonly SplitCase[]): string {
  return splitsInOrder(members.map((m) => m.split))
    .map((s) => {
      const ids = members.filter((m) => m.split === s).map((m) => m.case.id);
      return `${previewList(ids, IMAGES_PER_SPLIT)} (${s})`;
    })
    .join('; ');
}

function relatedImages(members: readonly SplitCase[], except: SplitCase): RelatedLocation[] {
  const out: RelatedLocation[] = [];
  for (const s of splitsInOrder(members.map((m) => m.split))) {
    for (const m of members.filter((x) => x.split === s && x !== except).slice(0, IMAGES_PER_SPLIT)) {
      out.push({ message: `\`${m.case.id}\` (${m.split})`, location: { file: m.case.image } });
    }
  }
  return out;
}

interface Leak {
  key: string;
  kind: 'patient' | 'volume';
  members: SplitCase[];
}

/** `split/patient-leak`: a group (patient) or a volume whose images are in more than one split. */
export function groupLeakFindings(cases: readonly SplitCase[], configPath: ConfigPath): Finding[] {
  const leaks: Leak[] = [];
  const collect = (kind: Leak['kind'], key: (c: SplitCase) => string | undefined): void => {
    for (const [k, members] of groupBy(cases, key)) {
      if (new Set(members.map((m) => m.split)).size > 1) leaks.push({ key: k, kind, members: [...members].sort(byExposure) });
    }
  };
  collect('patient', (c) => c.case.group);
  // A volume's slices are reported by volume only when no patient leak already covers them.
  const leakedPatients = new Set(leaks.map((l) => l.key));
  collect('volume', (c) => (c.case.volume !== undefined && !(c.case.group !== undefined && leakedPatients.has(c.case.group)) ? c.case.volume : undefined));
  leaks.sort((a, b) => (a.members[0].case.id < b.members[0].case.id ? -1 : 1));

  const what = (l: Leak): string => (l.kind === 'patient' ? `Patient \`${l.key}\` has images` : `Slices of volume \`${l.key}\` are`);
  return perItemOrAggregated(
    leaks,
    (l) => {
      const splits = splitsInOrder(l.members.map((m) => m.split));
      return {
        code: 'split/patient-leak',
        severity: 'error',
        message:
          `${what(l)} in ${splits.join(' and ')}: ${imagesPerSplit(l.members)}. ` +
          `A ${l.kind}'s images must stay in one split, or the ${splits[splits.length - 1] === 'train' ? 'evaluation' : splits[splits.length - 1]} score ` +
          `rewards memorising that ${l.kind}; put them all in one split.`,
        location: { file: l.members[0].case.image },
        configPath,
        related: relatedImages(l.members, l.members[0]),
      };
    },
    (all) => ({
      code: 'split/patient-leak',
      severity: 'error',
      message:
        `${all.length} patients or volumes have images in more than one split, e.g. ` +
        `${all
          .slice(0, 5)
          .map((l) => `\`${l.key}\` (${splitsInOrder(l.members.map((m) => m.split)).join(', ')})`)
          .join(', ')}. ` +
        'Split by patient (`dataset.group_column`), e.g. with `medseg split`.',
      location: { file: all[0].members[0].case.image },
      configPath,
      related: relatedImages(all[0].members, all[0].members[0]),
    }),
  );
}

/**
 * Uniform images (zero contrast: blank slices, padding) share pixels and hashes without being the
 * same picture, so they take no part in duplicate detection.
 */
function hashable(c: ScannedCase): boolean {
  return c.scan?.image !== undefined && c.scan.image.contrast > 0;
}

/**
 * The perceptual hash of a 3D volume is that of its middle slice, which says little about the
 * volume (bodies look alike at mid-abdomen), so volumes are compared by exact pixels only.
 */
function perceptuallyHashable(c: ScannedCase): boolean {
  return hashable(c) && c.scan!.image!.depth === 1;
}

/** `split/duplicate-image`: the same pixels (SHA-256 of the decoded samples) in two splits. */
export function duplicateImageFindings(cases: readonly SplitCase[], configPath: ConfigPath): Finding[] {
  const clusters = [...groupBy(cases.filter(hashable), (c) => c.scan!.image!.pixelHash).values()]
    .filter((members) => new Set(members.map((m) => m.split)).size > 1)
    .map((members) => [...members].sort(byExposure))
    .sort((a, b) => (a[0].case.id < b[0].case.id ? -1 : 1));
  const describe = (members: readonly SplitCase[]): string => members.map((m) => `\`${m.case.id}\` (${m.split})`).join(', ');
  return perItemOrAggregated(
    clusters,
    (members) => {
      const [first, ...others] = members;
      return {
        code: 'split/duplicate-image',
        severity: 'error',
        message:
          `\`${first.case.id}\` (${first.split}) has exactly the same pixels as ${describe(others.filter((o) => o.split !== first.split).slice(0, 5))}: ` +
          'one image in two splits is tested on what it was trained on. Remove the copy, or keep both in one split ' +
          '(they may be one patient filed under two ids).',
        location: { file: first.case.image },
        configPath,
        related: others.slice(0, 5).map((o) => ({ message: `identical pixels: \`${o.case.id}\` (${o.split})`, location: { file: o.case.image } })),
      };
    },
    (all) => ({
      code: 'split/duplicate-image',
      severity: 'error',
      message:
        `${all.length} images have an identical copy (same pixels) in another split, e.g. ` +
        `${all.slice(0, 5).map((m) => describe(m.slice(0, 2))).join('; ')}. Remove the copies or keep each with its original.`,
      location: { file: all[0][0].case.image },
      configPath,
      related: all[0].slice(1, 6).map((o) => ({ message: `identical pixels: \`${o.case.id}\` (${o.split})`, location: { file: o.case.image } })),
    }),
  );
}

export interface NearDuplicatePair<T extends ScannedCase = SplitCase> {
  /** The more exposed image of the pair (test before val before train). */
  a: T;
  b: T;
  distance: number;
}

/**
 * Pairs of 2D images (or slices) whose perceptual hashes differ in at most `maxDistance` bits,
 * visited through identical-hash classes so that many copies of one hash cost one index entry.
 * `accept` decides which pairs count; the search stops after `limit` accepted pairs.
 */
export function nearDuplicatePairs<T extends ScannedCase>(
  cases: readonly T[],
  maxDistance: number,
  accept: (a: T, b: T) => boolean,
  limit = Infinity,
): { pairs: NearDuplicatePair<T>[]; complete: boolean } {
  const classes = [...groupBy(cases.filter(perceptuallyHashable), (c) => c.scan!.image!.phash).entries()];
  const hashPairs = findHashPairs(
    classes.map(([hash]) => hash),
    maxDistance,
  );
  const candidates: [number, number, number][] = classes.map((_, u) => [u, u, 0]);
  for (const p of hashPairs) candidates.push([p.a, p.b, p.distance]);
  const pairs: NearDuplicatePair<T>[] = [];
  for (const [u, v, distance] of candidates) {
    const left = classes[u][1];
    const right = classes[v][1];
    for (let i = 0; i < left.length; i++) {
      for (let j = u === v ? i + 1 : 0; j < right.length; j++) {
        const [a, b] = byExposure(left[i], right[j]) <= 0 ? [left[i], right[j]] : [right[j], left[i]];
        if (!accept(a, b)) continue;
        if (pairs.length >= limit) return { pairs, complete: false };
        pairs.push({ a, b, distance });
      }
    }
  }
  return { pairs, complete: true };
}

function sameGroup(a: SplitCase, b: SplitCase): boolean {
  return (a.case.group !== undefined && a.case.group === b.case.group) || (a.case.volume !== undefined && a.case.volume === b.case.volume);
}

/**
 * `split/near-duplicate`: perceptual hashes within `splits.duplicate_distance` bits in two
 * splits. Exact copies and pairs of one patient are left to the two checks above.
 */
export function nearDuplicateFindings(cases: readonly SplitCase[], maxDistance: number, configPath: ConfigPath): Finding[] {
  const { pairs, complete } = nearDuplicatePairs(
    cases,
    maxDistance,
    (a, b) => a.split !== b.split && a.scan!.image!.pixelHash !== b.scan!.image!.pixelHash && !sameGroup(a, b),
    MAX_LISTED_PAIRS,
  );
  pairs.sort((p, q) => byExposure(p.a, q.a) || (p.b.case.id < q.b.case.id ? -1 : p.b.case.id > q.b.case.id ? 1 : 0));
  const bits = (d: number): string => `${d} bit${d === 1 ? '' : 's'}`;
  return perItemOrAggregated(
    pairs,
    ({ a, b, distance }) => ({
      code: 'split/near-duplicate',
      severity: 'warning',
      message:
        `\`${a.case.id}\` (${a.split}) and \`${b.case.id}\` (${b.split}) look almost the same: their perceptual hashes differ in ` +
        `${bits(distance)} (at most ${maxDistance} counts as a near-duplicate). If they are one lesion re-photographed, resized ` +
        'or re-encoded, keep them in one split.',
      location: { file: a.case.image },
      configPath,
      related: [{ message: `near-duplicate: \`${b.case.id}\` (${b.split}), ${bits(distance)} apart`, location: { file: b.case.image } }],
    }),
    (all) => ({
      code: 'split/near-duplicate',
      severity: 'warning',
      message:
        `${complete ? all.length : `At least ${all.length}`} pairs of images in different splits look almost the same ` +
        `(perceptual hashes within ${bits(maxDistance)}), e.g. ` +
        `${all
          .slice(0, 5)
          .map((p) => `\`${p.a.case.id}\` (${p.a.split}) ~ \`${p.b.case.id}\` (${p.b.split})`)
          .join(', ')}. Keep near-duplicates in one split.`,
      location: { file: all[0].a.case.image },
      configPath,
      related: all.slice(0, 5).map((p) => ({ message: `near-duplicate of \`${p.a.case.id}\`: \`${p.b.case.id}\` (${p.b.split})`, location: { file: p.b.case.image } })),
    }),
  );
}

/**
 * Sets of case ids that must share a split because their pixels are identical or nearly so; the
 * generator keeps each set together (singletons are left out).
 */
export function duplicateLinks(cases: readonly ScannedCase[], maxDistance: number): string[][] {
  const { pairs } = nearDuplicatePairs(cases, maxDistance, () => true);
  const index = new Map(cases.map((c, i) => [c.case.id, i]));
  const parent = cases.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]];
    return i;
  };
  const join = (a: ScannedCase, b: ScannedCase): void => {
    parent[find(index.get(a.case.id)!)] = find(index.get(b.case.id)!);
  };
  for (const p of pairs) join(p.a, p.b);
  // Identical volumes, which the perceptual search leaves out.
  for (const members of groupBy(cases.filter(hashable), (c) => c.scan!.image!.pixelHash).values()) {
    for (let k = 1; k < members.length; k++) join(members[0], members[k]);
  }
  const sets = new Map<number, string[]>();
  cases.forEach((c, i) => {
    const r = find(i);
    const set = sets.get(r);
    if (set) set.push(c.case.id);
    else sets.set(r, [c.case.id]);
  });
  return [...sets.values()].filter((s) => s.length > 1);
}
