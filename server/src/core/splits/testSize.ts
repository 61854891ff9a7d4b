/**
 * Whether the evaluated split is large enough for the wanted precision: the t-based 95 % CI
 * half-width of mean Dice, t(0.975, n − 1) · SD / √n, against `splits.target_ci_halfwidth`.
 * The SD is the one observed in an evaluation when there is one, else a deliberately
 * conservative 0.25 (Dice SDs of published segmentation models are mostly 0.1 to 0.25).
 */
import type { SplitName } from '../config/types';
import type { ConfigPath, Finding, Location } from '../findings';
import { ciHalfWidthForN, requiredSampleSize } from '../stats';

export const ASSUMED_DICE_SD = 0.25;
const CONFIDENCE = 0.95;

export interface TestSizeOptions {
  split: SplitName;
  n: number;
  target: number;
  observedDiceSd?: number;
  configPath: ConfigPath;
  location: Location;
}

export function testSizeFinding(o: TestSizeOptions): Finding | undefined {
  const observed = o.observedDiceSd !== undefined && Number.isFinite(o.observedDiceSd);
  const sd = observed ? o.observedDiceSd! : ASSUMED_DICE_SD;
  const halfWidth = o.n >= 2 ? ciHalfWidthForN(sd, o.n, CONFIDENCE) : Infinity;
  if (halfWidth <= o.target) return undefined;
  const needed = requiredSampleSize(sd, o.target, CONFIDENCE);
  const sdText = observed ? `the observed Dice SD of ${sd.toFixed(3)}` : `an assumed Dice SD of ${sd} (assumed, before any evaluation)`;
  const now = o.n >= 2 ? `gives a 95 % CI half-width of mean Dice of ±${halfWidth.toFixed(3)} (t-based)` : 'gives no 95 % CI half-width of mean Dice at all';
  return {
    code: 'split/test-too-small',
    severity: 'warning',
    message:
      `The ${o.split} split has ${o.n} image${o.n === 1 ? '' : 's'}: with ${sdText} it ${now}, wider than target_ci_halfwidth = ${o.target}. ` +
      `About ${needed} images are needed (${Math.max(0, needed - o.n)} more), or accept a wider interval.`,
    location: o.location,
    configPath: o.configPath,
    evidence: { test: '95 % CI half-width of mean Dice', statistic: halfWidth },
  };
}
