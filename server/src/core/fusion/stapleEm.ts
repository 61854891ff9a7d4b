/**
 * The expectation-maximisation of STAPLE (Warfield, Zou & Wells, "Simultaneous truth and
 * performance level estimation (STAPLE)", IEEE TMI 23(7), 2004) for binary segmentations, over
 * weighted "units": a unit is one pixel (weight 1) or one vote pattern shared by `weight` pixels.
 * Both give the same estimate, because the E-step of a pixel depends only on its k votes.
 *
 * Per rater j: sensitivity p_j = P(vote 1 | truth 1), specificity q_j = P(vote 0 | truth 0).
 *   E-step: W_u = g·Π_j a_uj / (g·Π_j a_uj + (1 − g)·Π_j b_uj), with a_uj = p_j, b_uj = 1 − q_j
 *           where rater j votes 1 and a_uj = 1 − p_j, b_uj = q_j where it votes 0.
 *   M-step: p_j = Σ_u w_u W_u [D_uj = 1] / Σ_u w_u W_u;
 *           q_j = Σ_u w_u (1 − W_u) [D_uj = 0] / Σ_u w_u (1 − W_u).
 * The iteration starts with an E-step from the initial p, q and stops after the M-step + E-step in
 * which no parameter moved by more than the tolerance; the posterior returned always belongs to the
 * parameters returned.
 */
import { ExactSum } from './exactSum';

export interface StapleEmOptions {
  /** Prior probability g that a pixel is foreground, in [0, 1]. */
  prior: number;
  maxIterations: number;
  /** Converged when max_j max(|Δp_j|, |Δq_j|) ≤ tolerance. */
  tolerance: number;
  initialSensitivity: number;
  initialSpecificity: number;
  signal?: AbortSignal;
}

export interface StapleEmResult {
  /** Posterior P(truth = 1 | votes) per unit, in double precision. */
  posterior: Float64Array;
  sensitivity: number[];
  specificity: number[];
  /** M-steps done. */
  iterations: number;
  converged: boolean;
}

/**
 * `votes[j][u]` is rater j's vote on unit u (non-zero = foreground); `weights[u]` the number of
 * pixels unit u stands for (undefined: every unit is one pixel).
 */
export function stapleEm(votes: readonly Uint8Array[], weights: Float64Array | undefined, options: StapleEmOptions): StapleEmResult {
  const k = votes.length;
  const units = k === 0 ? 0 : votes[0].length;
  const p = new Float64Array(k).fill(options.initialSensitivity);
  const q = new Float64Array(k).fill(options.initialSpecificity);
  const posterior = new Float64Array(units);
  expectation(votes, p, q, options.prior, posterior);

  let iterations = 0;
  let converged = false;
  while (iterations < options.maxIterations) {
    options.signal?.throwIfAborted();
    iterations++;
    const change = maximisation(votes, weights, posterior, p, q);
    expectation(votes, p, q, options.prior, posterior);
    if (change <= options.tolerance) {
      converged = true;
      break;
    }
  }
  return { posterior, sensitivity: Array.from(p), specificity: Array.from(q), iterations, converged };
}

function expectation(votes: readonly Uint8Array[], p: Float64Array, q: Float64Array, prior: number, out: Float64Array): void {
  const k = votes.length;
  for (let u = 0; u < out.length; u++) {
    let a = prior;
    let b = 1 - prior;
    for (let j = 0; j < k; j++) {
      if (votes[j][u] !== 0) {
        a *= p[j];
        b *= 1 - q[j];
      } else {
        a *= 1 - p[j];
        b *= q[j];
      }
    }
    // Products of many small factors (k beyond ~60 raters) underflow; the log-odds form does not.
    out[u] = a + b > 1e-280 ? a / (a + b) : posteriorFromLogOdds(votes, u, p, q, prior);
  }
}

function posteriorFromLogOdds(votes: readonly Uint8Array[], u: number, p: Float64Array, q: Float64Array, prior: number): number {
  let logOdds = Math.log(prior) - Math.log(1 - prior);
  for (let j = 0; j < votes.length; j++) {
    logOdds += votes[j][u] !== 0 ? Math.log(p[j]) - Math.log(1 - q[j]) : Math.log(1 - p[j]) - Math.log(q[j]);
  }
  // NaN: the votes are impossible under both hypotheses (a 0/0); the prior is all that is known.
  if (Number.isNaN(logOdds)) return prior;
  return 1 / (1 + Math.exp(-logOdds));
}

/**
 * Updates p and q in place; returns the largest parameter change. Sums are exact (ExactSum), so a
 * vote pattern standing for n pixels contributes exactly what its n pixels would.
 */
function maximisation(votes: readonly Uint8Array[], weights: Float64Array | undefined, posterior: Float64Array, p: Float64Array, q: Float64Array): number {
  const foreground = weightedSum(posterior, weights, undefined, 1, false);
  const background = weightedSum(posterior, weights, undefined, 0, true);
  let change = 0;
  for (let j = 0; j < votes.length; j++) {
    const hits = weightedSum(posterior, weights, votes[j], 1, false);
    const rejections = weightedSum(posterior, weights, votes[j], 0, true);
    // Without any (posterior) foreground, sensitivity is not identifiable: keep the last value
    // rather than produce 0/0 (same for specificity without background).
    const nextP = foreground > 0 ? hits / foreground : p[j];
    const nextQ = background > 0 ? rejections / background : q[j];
    change = Math.max(change, Math.abs(nextP - p[j]), Math.abs(nextQ - q[j]));
    p[j] = nextP;
    q[j] = nextQ;
  }
  return change;
}

/**
 * Σ_u w_u·x_u over the units whose vote equals `vote` (all units without `rater`), where x_u is
 * the posterior W_u, or 1 − W_u with `complement`.
 */
function weightedSum(posterior: Float64Array, weights: Float64Array | undefined, rater: Uint8Array | undefined, vote: 0 | 1, complement: boolean): number {
  const sum = new ExactSum();
  for (let u = 0; u < posterior.length; u++) {
    if (rater !== undefined && (rater[u] !== 0 ? 1 : 0) !== vote) continue;
    const x = complement ? 1 - posterior[u] : posterior[u];
    if (weights === undefined) sum.add(x);
    else sum.addProduct(weights[u], x);
  }
  return sum.value;
}
