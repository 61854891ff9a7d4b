/**
 * Learning curves from models trained on nested subsets (`train_size` in the config): per family,
 * an inverse power law  dice(n) = a − b·n^(−c)  (a the asymptote, c > 0) fitted by least squares
 * (c on a grid refined by golden-section search, a and b in closed form for each c), its fit
 * quality, and the training-set size predicted for a target Dice with a bootstrap interval over
 * test images — refitting on resampled per-image Dice, so the interval carries the test set's
 * uncertainty (not the unknown variation between training runs, which one model per size cannot show).
 */
import { createRandom, quantileSorted } from '../metrics';

export interface PowerLawFit {
  a: number;
  b: number;
  c: number;
  rmse: number;
  r2: number | undefined;
}

export interface LearningCurve {
  family: string;
  points: { model: string; train_size: number; mean_dice: number }[];
  fit?: PowerLawFit;
  target_dice: number;
  /** Training images predicted to reach the target; undefined when the fit's asymptote is below it. */
  predicted_train_size?: number;
  predicted_interval?: [number, number];
  /** Bootstrap refits whose asymptote stayed below the target (no finite size reaches it). */
  unreachable_fraction?: number;
  note?: string;
}

function fitForC(x: readonly number[], y: readonly number[], c: number): { a: number; b: number; sse: number } {
  // y = a − b·u with u = x^(−c): ordinary least squares in (a, b).
  const n = x.length;
  const u = x.map((v) => v ** -c);
  const mu = u.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let suu = 0;
  let suy = 0;
  for (let i = 0; i < n; i++) {
    suu += (u[i] - mu) ** 2;
    suy += (u[i] - mu) * (y[i] - my);
  }
  const slope = suu > 0 ? suy / suu : 0;
  const b = -slope;
  const a = my + b * mu;
  let sse = 0;
  for (let i = 0; i < n; i++) sse += (y[i] - (a - b * u[i])) ** 2;
  return { a, b, sse };
}

export function fitInversePowerLaw(x: readonly number[], y: readonly number[]): PowerLawFit | undefined {
  if (x.length < 3 || new Set(x).size < 3) return undefined;
  const grid = Array.from({ length: 60 }, (_, i) => 0.02 * 1.1 ** i); // 0.02 … ~5.5
  let bestC = grid[0];
  let bestSse = Infinity;
  for (const c of grid) {
    const { sse } = fitForC(x, y, c);
    if (sse < bestSse) [bestC, bestSse] = [c, sse];
  }
  // Golden-section refinement around the best grid point.
  let lo = bestC / 1.1;
  let hi = bestC * 1.1;
  const g = (Math.sqrt(5) - 1) / 2;
  for (let k = 0; k < 60; k++) {
    const c1 = hi - g * (hi - lo);
    const c2 = lo + g * (hi - lo);
    if (fitForC(x, y, c1).sse < fitForC(x, y, c2).sse) hi = c2;
    else lo = c1;
  }
  const c = (lo + hi) / 2;
  const { a, b, sse } = fitForC(x, y, c);
  const my = y.reduce((s, v) => s + v, 0) / y.length;
  const sst = y.reduce((s, v) => s + (v - my) ** 2, 0);
  return { a, b, c, rmse: Math.sqrt(sse / y.length), r2: sst > 0 ? 1 - sse / sst : undefined };
}

export function predictTrainSize(fit: PowerLawFit, target: number): number | undefined {
  if (fit.b <= 0 || fit.a <= target) return undefined;
  return Math.ceil((fit.b / (fit.a - target)) ** (1 / fit.c));
}

export interface LearningCurveModel {
  model: string;
  family: string;
  trainSize: number;
  /** Dice on each image of an image axis shared by all models (NaN: undefined or not evaluated). */
  dice: Float64Array;
}

export function learningCurves(models: readonly LearningCurveModel[], targetDice: number, options: { bootstrap: number; seed: number }): LearningCurve[] {
  const families = [...new Set(models.map((m) => m.family))].sort();
  const curves: LearningCurve[] = [];
  for (const family of families) {
    const members = models.filter((m) => m.family === family).sort((p, q) => p.trainSize - q.trainSize);
    // Images where every member has a Dice, in axis order.
    const ids: number[] = [];
    for (let i = 0; i < members[0].dice.length; i++) if (members.every((m) => !Number.isNaN(m.dice[i]))) ids.push(i);
    const meanOf = (m: LearningCurveModel, sample: readonly number[]) => sample.reduce((s, i) => s + m.dice[i], 0) / sample.length;
    const points = members.map((m) => ({ model: m.model, train_size: m.trainSize, mean_dice: ids.length ? meanOf(m, ids) : NaN }));
    const curve: LearningCurve = { family, points, target_dice: targetDice };
    curves.push(curve);
    if (members.length < 3 || ids.length === 0) {
      curve.note = `needs at least 3 models of family ${family} with different train_size (has ${members.length})`;
      continue;
    }
    const x = points.map((p) => p.train_size);
    const fit = fitInversePowerLaw(x, points.map((p) => p.mean_dice));
    if (!fit) {
      curve.note = 'needs at least 3 different train_size values';
      continue;
    }
    curve.fit = fit;
    curve.predicted_train_size = predictTrainSize(fit, targetDice);
    const random = createRandom(options.seed);
    const B = Math.max(100, Math.min(options.bootstrap, 1000));
    const predictions: number[] = [];
    let unreachable = 0;
    for (let b = 0; b < B; b++) {
      const sample = ids.map(() => ids[Math.floor(random() * ids.length)]);
      const f = fitInversePowerLaw(x, members.map((m) => meanOf(m, sample)));
      const n = f && predictTrainSize(f, targetDice);
      if (n === undefined) unreachable++;
      else predictions.push(n);
    }
    curve.unreachable_fraction = unreachable / B;
    if (predictions.length >= B * 0.5) {
      const sorted = Float64Array.from(predictions).sort();
      curve.predicted_interval = [Math.floor(quantileSorted(sorted, 0.025)), Math.ceil(quantileSorted(sorted, 0.975))];
    }
    if (curve.predicted_train_size === undefined) curve.note = `the fitted asymptote ${fit.a.toFixed(3)} is below the target Dice ${targetDice}: more images of this kind are not predicted to reach it`;
    else if (curve.unreachable_fraction > 0.025) curve.note = `in ${(100 * curve.unreachable_fraction).toFixed(0)}% of bootstrap refits the target is unreachable: the upper end of the interval is unbounded`;
  }
  return curves;
}
