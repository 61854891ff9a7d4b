/**
 * The image perturbations of a stress test and their graded strengths. Strengths are in natural
 * units (noise σ as a fraction of the intensity range, blur σ in pixels, degrees, …) so a curve's
 * x axis and the "breaks at" strength mean something to a reader; level 0 is always the
 * unperturbed image. `flip` has no strength, only variants, so it is not graded: its "breaks at"
 * is the first variant that breaks, never an interpolation.
 */
import { sha256 } from '../util/hash';
import { deriveSeed } from '../util/random';

export const PERTURBATION_KINDS = ['gaussian_noise', 'blur', 'contrast', 'brightness', 'jpeg', 'rotation', 'flip'] as const;
export type PerturbationKind = (typeof PERTURBATION_KINDS)[number];

/** Bump when a perturbation's pixels change for the same kind and strength: cached predictions of perturbed images are keyed by it. */
export const PERTURBATION_VERSION = 1;

export interface PerturbationLevel {
  kind: PerturbationKind;
  strength: number;
  label: string;
}

export interface PerturbationDesign {
  kind: PerturbationKind;
  /** What the strength axis measures. */
  unit: string;
  graded: boolean;
  /** Moves pixels: the reference mask is transformed too. */
  geometric: boolean;
  /** Draws random numbers: the seed is part of the perturbed image's identity. */
  random: boolean;
  /** Strengths from mild to severe (level 0, the unperturbed image, not included). */
  levels: readonly { strength: number; label: string }[];
}

export const FLIP_VARIANTS = ['horizontal', 'vertical', 'both'] as const;

export const PERTURBATION_DESIGNS: Record<PerturbationKind, PerturbationDesign> = {
  gaussian_noise: {
    kind: 'gaussian_noise',
    unit: 'noise σ / intensity range',
    graded: true,
    geometric: false,
    random: true,
    levels: [0.02, 0.05, 0.1, 0.2].map((s) => ({ strength: s, label: `σ=${s}` })),
  },
  blur: {
    kind: 'blur',
    unit: 'Gaussian blur σ (pixels)',
    graded: true,
    geometric: false,
    random: false,
    levels: [0.5, 1, 2, 4].map((s) => ({ strength: s, label: `σ=${s}px` })),
  },
  contrast: {
    kind: 'contrast',
    unit: 'contrast reduction (1 − factor)',
    graded: true,
    geometric: false,
    random: false,
    levels: [0.2, 0.4, 0.6, 0.8].map((s) => ({ strength: s, label: `×${Math.round((1 - s) * 10) / 10}` })),
  },
  brightness: {
    kind: 'brightness',
    unit: 'brightness shift / intensity range',
    graded: true,
    geometric: false,
    random: false,
    levels: [0.05, 0.1, 0.2, 0.3].map((s) => ({ strength: s, label: `+${s}` })),
  },
  jpeg: {
    kind: 'jpeg',
    unit: '100 − JPEG quality',
    graded: true,
    geometric: false,
    random: false,
    levels: [50, 70, 85, 95].map((s) => ({ strength: s, label: `q${100 - s}` })),
  },
  rotation: {
    kind: 'rotation',
    unit: 'rotation (degrees)',
    graded: true,
    geometric: true,
    random: false,
    levels: [5, 15, 30, 45].map((s) => ({ strength: s, label: `${s}°` })),
  },
  flip: {
    kind: 'flip',
    unit: 'flip variant',
    graded: false,
    geometric: true,
    random: false,
    levels: FLIP_VARIANTS.map((v, i) => ({ strength: i + 1, label: v })),
  },
};

export function isPerturbationKind(name: string): name is PerturbationKind {
  return (PERTURBATION_KINDS as readonly string[]).includes(name);
}

/** Level 0 (unperturbed), then the design's levels. */
export function perturbationLevels(kind: PerturbationKind): PerturbationLevel[] {
  return [{ kind, strength: 0, label: 'none' }, ...PERTURBATION_DESIGNS[kind].levels.map((l) => ({ kind, ...l }))];
}

function hash32(text: string): number {
  return parseInt(sha256(text).slice(0, 8), 16);
}

/** The seed of one image's noise at one level: fixed by the stress seed, the case and the level alone. */
export function perturbationSeed(stressSeed: number, caseId: string, level: PerturbationLevel): number {
  return deriveSeed(stressSeed, hash32(`${caseId}\u0000${level.kind}\u0000${level.strength}`));
}

/**
 * The identity of a perturbed image for the prediction cache: the original's hash, the
 * perturbation, its strength and (for random ones) the seed. A fully cached run never decodes
 * or perturbs an image.
 */
export function perturbedImageHash(imageHash: string, level: PerturbationLevel, seed: number): string {
  if (level.strength === 0) return imageHash;
  const random = PERTURBATION_DESIGNS[level.kind].random;
  return sha256(JSON.stringify({ image: imageHash, perturbation: level.kind, strength: level.strength, seed: random ? seed : undefined, v: PERTURBATION_VERSION }));
}
