/**
 * The image and mask properties whose distributions should not differ between splits: what a
 * model sees (brightness, contrast) and what it must find (how much foreground, in how many
 * pieces, how often none). Lesion area and component count describe lesions, so they are taken
 * over the images that have one; the empty-mask rate covers the others.
 */
import type { CaseScan } from '../scan';
import type { CasePropertyValues } from './propertyBalance';
import type { ScannedCase } from './splitCases';

export interface SplitProperty {
  key: string;
  /** How messages name it. */
  label: string;
  /** Binary properties (0/1 per image) are compared as rates with a chi-square test. */
  kind: 'continuous' | 'binary';
  of(scan: CaseScan): number | undefined;
}

export const SPLIT_PROPERTIES: readonly SplitProperty[] = [
  { key: 'foregroundFraction', label: 'foreground fraction', kind: 'continuous', of: (s) => s.mask?.foregroundFraction },
  { key: 'components', label: 'connected components per lesion-bearing mask', kind: 'continuous', of: (s) => (s.mask && s.mask.foregroundPixels > 0 ? s.mask.components : undefined) },
  { key: 'emptyMask', label: 'empty-mask rate', kind: 'binary', of: (s) => (s.mask ? (s.mask.foregroundPixels === 0 ? 1 : 0) : undefined) },
  { key: 'lesionArea', label: 'lesion area', kind: 'continuous', of: (s) => (s.mask && s.mask.foregroundPixels > 0 ? s.mask.lesionArea : undefined) },
  { key: 'brightness', label: 'brightness', kind: 'continuous', of: (s) => s.image?.brightness },
  { key: 'contrast', label: 'RMS contrast', kind: 'continuous', of: (s) => s.image?.contrast },
];

/** Every property's value per case id, for the generator's balance term. */
export function casePropertyValues(cases: readonly ScannedCase[]): CasePropertyValues {
  const out: Record<string, Map<string, number>> = {};
  for (const p of SPLIT_PROPERTIES) {
    const values = new Map<string, number>();
    for (const c of cases) {
      const v = c.scan ? p.of(c.scan) : undefined;
      if (v !== undefined && Number.isFinite(v)) values.set(c.case.id, v);
    }
    if (values.size > 0) out[p.key] = values;
  }
  return out;
}
