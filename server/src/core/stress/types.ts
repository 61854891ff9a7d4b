/**
 * `stress.json` (written beside summary.json): label-mix and perturbation stress tests. Keys are
 * snake_case like summary.json's; undefined values are left out and non-finite numbers are null.
 * Rankings are by mean Dice, best first; `fusion:best` (which needs the reference: an upper
 * bound, never a deployable model) is reported but never ranked.
 */

/** A value over repeats (label mixes) or images (perturbations), with its 95 % interval. */
export interface StatWithInterval {
  mean: number | undefined;
  ci95: [number, number] | undefined;
}

/**
 * One method on one label mix. Type I errors: `fp_pixel_rate` = FP/(FP+TN) pooled over the
 * sample's pixels, `empty_ref_fp_rate` = share of images with an empty reference on which the
 * method predicts any pixel. Type II errors: `fn_pixel_rate` = FN/(FN+TP) pooled, `missed_rate`
 * = share of images with a lesion that get Dice 0.
 */
export interface MixMethodResult {
  dice: StatWithInterval;
  fp_pixel_rate: StatWithInterval;
  empty_ref_fp_rate: StatWithInterval;
  fn_pixel_rate: StatWithInterval;
  missed_rate: StatWithInterval;
  /** Mean Dice of each repeat (scenarios only), in repeat order. */
  dice_per_repeat?: (number | undefined)[];
}

export interface MixBaselineResult {
  /** Images of the split (all of them, with or without a label value). */
  images: number;
  /** Dice interval: percentile bootstrap over images (as summary.json); rates without interval. */
  methods: Record<string, MixMethodResult>;
  ranking: string[];
}

export interface MixScenarioResult {
  /** `zipf`, `dominant:<value>`, `rare_oversampled`, `removed:<value>`. */
  name: string;
  column: string;
  kind: string;
  label?: string;
  /** Target share per label value. */
  shares: Record<string, number>;
  /** Images drawn per label value in each repeat (exact: shares × sample size, largest remainder). */
  counts: Record<string, number>;
  /** Distinct images of each label value in the split that the draws come from. */
  available: Record<string, number>;
  sample_size: number;
  repeats: number;
  /** Dice interval: 2.5 and 97.5 percentiles of the repeats' mean Dice (each repeat is a stratified bootstrap sample). */
  methods: Record<string, MixMethodResult>;
  ranking: string[];
  /** Some pair of methods is in the reverse order of the unperturbed test split. */
  ranking_changed: boolean;
  /** Pairs [a, b]: a ranked above b on the test split, b above a here. */
  swaps: [string, string][];
  /** Share of repeats whose own ranking reverses some pair of the test split's. */
  changed_in_repeats: number;
  note?: string;
}

export interface LabelMixSection {
  baseline: MixBaselineResult;
  scenarios: MixScenarioResult[];
}

export interface PerturbationMethodCurve {
  /** Per level (level 0 = unperturbed): mean Dice over images, and its bootstrap interval. */
  mean_dice: (number | undefined)[];
  ci95: ([number, number] | undefined)[];
  /** Images with a defined Dice per level. */
  n: number[];
  /** Where mean Dice has fallen by `drop_threshold` from level 0; absent when no tested level does. */
  drop?: { strength: number; level: string; interpolated: boolean };
}

export interface PerturbationResult {
  kind: string;
  unit: string;
  graded: boolean;
  levels: { strength: number; label: string }[];
  methods: Record<string, PerturbationMethodCurve>;
  /** Ranking per level. */
  rankings: string[][];
  /** Pairs reversed relative to level 0, per level. */
  swaps: [string, string][][];
}

export interface PerturbationSection {
  images: number;
  methods: string[];
  /** Models not re-run (their predictions exist only for the original images), with why. */
  skipped: { model: string; reason: string }[];
  /** Inferences run (the rest came from the prediction cache). */
  inferences: number;
  kinds: PerturbationResult[];
}

export interface StressReport {
  experiment: string;
  time: string;
  engine_version: string;
  config: string;
  split: string;
  seed: number;
  repeats: number;
  drop_threshold: number;
  /** Where the per-image rows of the label mixes came from. */
  rows_from: 'per_image.csv' | 'evaluation' | 'given';
  /** Methods in config order (models, then fusions). */
  methods: string[];
  upper_bound?: string;
  label_mixes?: LabelMixSection;
  perturbations?: PerturbationSection;
  notes: string[];
  /** Set when the run stressed one shard's images (`--shard I/N`; index 0-based); `medseg merge` joins the shards. */
  shard?: { index: number; count: number };
}
