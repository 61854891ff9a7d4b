/**
 * Image perturbation stress test: every case of the split at every level of every perturbation,
 * through the same prediction sources as an evaluation (the content-addressed cache keys a
 * perturbed image by its original's hash, the perturbation, the strength and, for noise, the
 * seed), then Dice per method and level, the fusions of the perturbed masks, the degradation
 * curves and where each method breaks. Cases stream: one case's original and perturbed images
 * live only during its turn.
 */
import type { FusionName } from '../config/types';
import type { DatasetCase } from '../dataset/types';
import { readCaseReference } from '../evaluate/caseReference';
import { fuseCase, type MemberMask } from '../evaluate/fuseCase';
import type { CaseInput, PredictionSource } from '../evaluate/sources';
import { InputError } from '../findings';
import { readImage, type BinaryMask, type ForegroundRule, type ImageVolume } from '../io';
import { computeImageMetrics, summarizeMetric, type ImageMetrics } from '../metrics';
import { thresholdQuantised } from '../results/predictionCache';
import { mapConcurrent } from '../util/concurrency';
import { sha256 } from '../util/hash';
import { perturbImage, perturbReference } from './applyPerturbation';
import { dropStrength } from './dropStrength';
import { PERTURBATION_DESIGNS, perturbationLevels, perturbationSeed, perturbedImageHash, type PerturbationKind, type PerturbationLevel } from './perturbations';
import { rankMethods, rankSwaps } from './ranking';
import type { PerturbationResult } from './types';

export interface PerturbationStressOptions {
  cases: readonly DatasetCase[];
  kinds: readonly PerturbationKind[];
  /** Prediction sources that can run on a new image (ONNX models). */
  sources: readonly PredictionSource[];
  fusions: readonly FusionName[];
  fusionMembers: readonly string[];
  foreground: ForegroundRule;
  seed: number;
  dropThreshold: number;
  bootstrap: number;
  bootstrapSeed: number;
  unranked?: readonly string[];
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, imageId: string) => void;
}

export interface PerturbationFailure {
  imageId: string;
  code: string;
  message: string;
}

export interface PerturbationStressResult {
  methods: string[];
  kinds: PerturbationResult[];
  failures: PerturbationFailure[];
  images: number;
}

/** Dice of every method on one case at one level. */
type LevelDice = Map<string, number | undefined>;

async function diceAtLevel(c: DatasetCase, ref: BinaryMask, imageHash: string, original: () => Promise<ImageVolume>, level: PerturbationLevel, o: PerturbationStressOptions): Promise<LevelDice> {
  const seed = perturbationSeed(o.seed, c.id, level);
  let perturbed: Promise<ImageVolume> | undefined;
  const input: CaseInput = {
    case: c,
    imageHash: perturbedImageHash(imageHash, level, seed),
    image: () => (perturbed ??= original().then((v) => perturbImage(v, level, seed))),
    ref: { width: ref.width, height: ref.height, depth: ref.depth },
  };
  const shownRef = perturbReference(ref, level);
  const dice: LevelDice = new Map();
  const members: MemberMask[] = [];
  const metrics = new Map<string, ImageMetrics>();
  for (const source of o.sources) {
    const q = await source.predict(input, o.signal);
    const mask = thresholdQuantised(q.prob, source.model.output.threshold);
    const m = computeImageMetrics(shownRef, mask, undefined, ['dice']);
    dice.set(source.model.name, m.dice);
    metrics.set(source.model.name, m);
    if (o.fusionMembers.includes(source.model.name)) members.push({ model: source.model.name, mask });
  }
  if (o.fusions.length > 0 && members.length === o.fusionMembers.length && members.length >= 2) {
    for (const f of fuseCase(shownRef, members, metrics, o.fusions, ['dice'], new Map()).fused) dice.set(f.method, f.metrics.dice);
  }
  return dice;
}

/** Every level of every kind on one case; level 0 is run once and shared by all kinds. */
async function perturbCase(c: DatasetCase, o: PerturbationStressOptions): Promise<LevelDice[][]> {
  const { ref, imageBytes } = await readCaseReference(c, o.foreground);
  const imageHash = sha256(imageBytes);
  let decoded: Promise<ImageVolume> | undefined;
  const original = () => (decoded ??= readImage(c.image, { slice: c.slice }));
  const unperturbed = await diceAtLevel(c, ref, imageHash, original, perturbationLevels(o.kinds[0])[0], o);
  const out: LevelDice[][] = [];
  for (const kind of o.kinds) {
    const perKind: LevelDice[] = [unperturbed];
    for (const level of perturbationLevels(kind).slice(1)) {
      o.signal?.throwIfAborted();
      perKind.push(await diceAtLevel(c, ref, imageHash, original, level, o));
    }
    out.push(perKind);
  }
  return out;
}

/** The methods a perturbation run measures: the sources, and the fusions when every member can be re-run. */
export function perturbedMethods(o: Pick<PerturbationStressOptions, 'sources' | 'fusions' | 'fusionMembers'>): string[] {
  return [...o.sources.map((s) => s.model.name), ...(o.fusionMembers.length >= 2 && o.fusionMembers.every((m) => o.sources.some((s) => s.model.name === m)) ? o.fusions.map((f) => `fusion:${f}`) : [])];
}

/** Where a case's Dice of kind k, level l and method j lies in its packed row. */
function slotLayout(kinds: readonly PerturbationKind[], methods: readonly string[]): { slots: number; slot: (k: number, l: number, j: number) => number } {
  const levelCounts = kinds.map((k) => perturbationLevels(k).length);
  const offsets = levelCounts.map((_, k) => levelCounts.slice(0, k).reduce((a, n) => a + n, 0) * methods.length);
  return { slots: levelCounts.reduce((a, n) => a + n, 0) * methods.length, slot: (k, l, j) => offsets[k] + l * methods.length + j };
}

/** Per case (in the order given) its packed row of Dice values (NaN = undefined), or undefined when it failed. */
export interface PerturbedCases {
  methods: string[];
  rows: (Float64Array | undefined)[];
  failures: PerturbationFailure[];
}

/**
 * Every level of every kind on every case, streamed; the per-case part, which shards split
 * between them (`medseg stress --shard`) and a merge puts back in case order.
 */
export async function perturbCases(o: PerturbationStressOptions): Promise<PerturbedCases> {
  const methods = perturbedMethods(o);
  const failures: PerturbationFailure[] = [];
  if (o.kinds.length === 0) return { methods, rows: [], failures };
  const { slots, slot } = slotLayout(o.kinds, methods);
  let done = 0;
  // Collected per case and assembled in case order, so the means and bootstrap intervals do not
  // depend on which case finished first (a cached run finishes in another order than a fresh one).
  // One packed row of Dice values per case (NaN = undefined): a few KB per case, however many cases.
  const rows = await mapConcurrent(o.cases, o.concurrency ?? 2, async (c): Promise<Float64Array | undefined> => {
    o.signal?.throwIfAborted();
    try {
      const levels = await perturbCase(c, o);
      const packed = new Float64Array(slots);
      levels.forEach((perLevel, k) => perLevel.forEach((dice, l) => methods.forEach((m, j) => (packed[slot(k, l, j)] = dice.get(m) ?? NaN))));
      return packed;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (err instanceof InputError) failures.push({ imageId: c.id, code: err.code, message: err.message });
      else if (e.code === 'ENOENT') failures.push({ imageId: c.id, code: 'io/not-found', message: `${e.path} does not exist.` });
      else throw err;
      return undefined;
    } finally {
      o.onProgress?.(++done, o.cases.length, c.id);
    }
  });
  failures.sort((a, b) => (a.imageId < b.imageId ? -1 : a.imageId > b.imageId ? 1 : 0));
  return { methods, rows, failures };
}

export type CurveOptions = Pick<PerturbationStressOptions, 'kinds' | 'dropThreshold' | 'bootstrap' | 'bootstrapSeed' | 'unranked'>;

/** The degradation curves, rankings and drops from the evaluated cases' packed rows (in case order). */
export function perturbationCurves(o: CurveOptions, methods: readonly string[], evaluated: readonly Float64Array[]): PerturbationResult[] {
  const ranked = methods.filter((m) => !o.unranked?.includes(m));
  const { slot } = slotLayout(o.kinds, methods);
  const valuesAt = (k: number, l: number, j: number) => evaluated.map((packed) => packed[slot(k, l, j)]);
  return o.kinds.map((kind, k): PerturbationResult => {
    const design = PERTURBATION_DESIGNS[kind];
    const levels = perturbationLevels(kind);
    const strengths = levels.map((l) => l.strength);
    const curves: PerturbationResult['methods'] = {};
    const levelMeans = levels.map(() => new Map<string, number | undefined>());
    methods.forEach((m, j) => {
      const summaries = levels.map((_, l) => summarizeMetric(valuesAt(k, l, j), { bootstrap: o.bootstrap, seed: o.bootstrapSeed }));
      const means = summaries.map((s) => s.mean);
      means.forEach((v, l) => levelMeans[l].set(m, v));
      const drop = dropStrength(strengths, means, o.dropThreshold, design.graded);
      curves[m] = {
        mean_dice: means,
        ci95: summaries.map((s) => s.ci95),
        n: summaries.map((s) => s.n),
        drop: drop && { strength: drop.strength, level: levels[drop.levelIndex].label, interpolated: design.graded },
      };
    });
    return {
      kind,
      unit: design.unit,
      graded: design.graded,
      levels: levels.map((l) => ({ strength: l.strength, label: l.label })),
      methods: curves,
      rankings: levelMeans.map((means) => rankMethods(means, ranked)),
      swaps: levelMeans.map((means) => rankSwaps(levelMeans[0], means, ranked)),
    };
  });
}

export async function runPerturbationStress(o: PerturbationStressOptions): Promise<PerturbationStressResult> {
  const { methods, rows, failures } = await perturbCases(o);
  if (o.kinds.length === 0) return { methods, kinds: [], failures, images: 0 };
  const evaluated = rows.filter((x): x is Float64Array => x !== undefined);
  return { methods, kinds: perturbationCurves(o, methods, evaluated), failures, images: evaluated.length };
}
