/**
 * STAPLE fusion of binary masks (RESULTS.md "Fusion conventions": posterior ≥ 0.5 is foreground).
 *
 * Choices, measured against ITK's STAPLEImageFilter (the implementation most tools wrap):
 * - prior g: by default the mean foreground fraction of the masks (the average over the k masks of
 *   foreground pixels / pixels), exactly ITK's g_t with its default ConfidenceWeight 1; a number
 *   fixes it instead.
 * - start: every rater's sensitivity and specificity at 0.99999 (near-perfect raters, as
 *   Warfield et al. 2004 suggest starting from high performance), then an E-step, which from
 *   such values is a prior-weighted majority vote. ITK skips the explicit start and uses the mean
 *   vote as the first posterior; on well-posed inputs both reach the same fixed point (checked on
 *   the reference cases of test/fixtures/fusion to within the tolerance).
 * - stopping: when no sensitivity or specificity changed by more than `tolerance` (1e-7, ITK's
 *   squared-change threshold 1e-14) in an iteration, or after `maxIterations` (then `converged`
 *   is false).
 * - degenerate inputs: with no posterior foreground (all masks empty) sensitivities keep their last
 *   value instead of 0/0 (ITK returns NaN); likewise specificities when everything is foreground.
 *
 * Speed: pixels are grouped by their vote pattern (votePatterns.ts), so an iteration costs
 * O(occupied patterns · k) instead of O(pixels · k); above 16 raters the EM runs per pixel.
 */
import { checkSameLength } from './masks';
import { stapleEm, type StapleEmResult } from './stapleEm';
import { MAX_PATTERN_RATERS, countVotePatterns } from './votePatterns';

export interface StapleOptions {
  /** Default 100. */
  maxIterations?: number;
  /** On the largest change of a sensitivity or specificity in one iteration; default 1e-7. */
  tolerance?: number;
  /** Foreground prior in [0, 1], or 'global' (default): the mean foreground fraction of the masks. */
  prior?: number | 'global';
  /** Default 0.99999 (ITK). */
  initialSensitivity?: number;
  /** Default 0.99999 (ITK). */
  initialSpecificity?: number;
  signal?: AbortSignal;
}

export interface StapleResult {
  /** Posterior ≥ 0.5, decided in double precision (before the posterior is stored as float32). */
  mask: Uint8Array;
  /** P(truth = 1 | votes) per pixel. */
  posterior: Float32Array;
  /** Per input mask, in the order given. */
  sensitivity: number[];
  specificity: number[];
  iterations: number;
  converged: boolean;
  /** The prior used. */
  prior: number;
}

export const STAPLE_DEFAULTS = {
  maxIterations: 100,
  tolerance: 1e-7,
  initialSensitivity: 0.99999,
  initialSpecificity: 0.99999,
} as const;

export function fuseStaple(masks: readonly Uint8Array[], options: StapleOptions = {}): StapleResult {
  const estimate = estimateStaple(masks, options, masks.length <= MAX_PATTERN_RATERS ? 'patterns' : 'pixels');
  const length = masks[0].length;
  const mask = new Uint8Array(length);
  const posterior = new Float32Array(length);
  if (estimate.patterns) {
    // One float32 conversion and one threshold per pattern, then a table look-up per pixel.
    const posteriorById = new Float32Array(1 << masks.length);
    const maskById = new Uint8Array(1 << masks.length);
    estimate.patterns.ids.forEach((id, u) => {
      posteriorById[id] = estimate.posterior[u];
      maskById[id] = estimate.posterior[u] >= 0.5 ? 1 : 0;
    });
    const ids = estimate.patterns.ofPixel;
    for (let i = 0; i < length; i++) {
      posterior[i] = posteriorById[ids[i]];
      mask[i] = maskById[ids[i]];
    }
  } else {
    for (let i = 0; i < length; i++) {
      posterior[i] = estimate.posterior[i];
      mask[i] = estimate.posterior[i] >= 0.5 ? 1 : 0;
    }
  }
  return {
    mask,
    posterior,
    sensitivity: estimate.sensitivity,
    specificity: estimate.specificity,
    iterations: estimate.iterations,
    converged: estimate.converged,
    prior: estimate.prior,
  };
}

export interface StapleEstimate extends StapleEmResult {
  prior: number;
  /** Pattern path only: the pattern id of each pixel, and of each posterior entry. */
  patterns?: { ofPixel: Uint16Array; ids: Uint16Array };
}

/**
 * The EM in double precision, by vote patterns or per pixel. Exported for tests (the two paths
 * must agree, and agree with the reference); callers use fuseStaple.
 */
export function estimateStaple(masks: readonly Uint8Array[], options: StapleOptions, path: 'patterns' | 'pixels'): StapleEstimate {
  const length = checkSameLength(masks, 'fuseStaple');
  const settings = resolveOptions(options);
  if (path === 'patterns') {
    const groups = countVotePatterns(masks);
    const prior = settings.prior ?? meanForegroundFraction(groups.votes, groups.counts, length);
    const result = stapleEm(groups.votes, groups.counts, { ...settings, prior });
    return { ...result, prior, patterns: { ofPixel: groups.patternOfPixel, ids: groups.patterns } };
  }
  const prior = settings.prior ?? meanForegroundFraction(masks, undefined, length);
  return { ...stapleEm(masks, undefined, { ...settings, prior }), prior };
}

function meanForegroundFraction(votes: readonly Uint8Array[], weights: Float64Array | undefined, pixels: number): number {
  if (pixels === 0) return 0;
  let foregroundVotes = 0;
  for (const rater of votes) {
    for (let u = 0; u < rater.length; u++) if (rater[u] !== 0) foregroundVotes += weights === undefined ? 1 : weights[u];
  }
  return foregroundVotes / (votes.length * pixels);
}

function resolveOptions(options: StapleOptions) {
  const maxIterations = options.maxIterations ?? STAPLE_DEFAULTS.maxIterations;
  const tolerance = options.tolerance ?? STAPLE_DEFAULTS.tolerance;
  const initialSensitivity = options.initialSensitivity ?? STAPLE_DEFAULTS.initialSensitivity;
  const initialSpecificity = options.initialSpecificity ?? STAPLE_DEFAULTS.initialSpecificity;
  const prior = options.prior === undefined || options.prior === 'global' ? undefined : options.prior;
  if (!Number.isInteger(maxIterations) || maxIterations < 0) throw new RangeError(`fuseStaple: maxIterations ${maxIterations} is not a count`);
  if (!(tolerance >= 0)) throw new RangeError(`fuseStaple: tolerance ${tolerance} is not ≥ 0`);
  for (const [name, value] of [
    ['prior', prior ?? 0],
    ['initialSensitivity', initialSensitivity],
    ['initialSpecificity', initialSpecificity],
  ] as const) {
    if (!(value >= 0 && value <= 1)) throw new RangeError(`fuseStaple: ${name} ${value} is not in [0, 1]`);
  }
  return { maxIterations, tolerance, initialSensitivity, initialSpecificity, prior, signal: options.signal };
}
