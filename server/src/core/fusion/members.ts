/**
 * Which models a fusion combines. `fuse_models` entries are model names or `family:<family>`
 * (every model of that family, e.g. `family:TII`); family names match case-insensitively, model
 * names exactly. Members come out in config order, each once, so fused names and results are the
 * same whatever order the entries were written in.
 */

export interface FusionModel {
  name: string;
  family: string;
}

export interface FusionPair {
  /** `union(<first>+<second>)`. */
  name: string;
  members: [string, string];
}

const FAMILY_PREFIX = 'family:';

/** The model names to fuse: every model without a spec (or with an empty one), else those selected. */
export function fusionMembers(models: readonly FusionModel[], spec?: readonly string[]): string[] {
  if (spec === undefined || spec.length === 0) return models.map((m) => m.name);
  return models.filter((m) => spec.some((entry) => selects(entry, m))).map((m) => m.name);
}

/** Entries that select no model (a misspelt name or family), for the config to report. */
export function unmatchedFusionEntries(models: readonly FusionModel[], spec: readonly string[]): string[] {
  return spec.filter((entry) => !models.some((m) => selects(entry, m)));
}

/**
 * Every (first-family × second-family) pair, default TII × LMI, for the cross-family "TII ∪ LMI"
 * unions; in config order of the first family's model, then the second's.
 */
export function familyPairs(models: readonly FusionModel[], families: readonly [string, string] = ['TII', 'LMI']): FusionPair[] {
  const [first, second] = families.map((f) => models.filter((m) => sameFamily(m.family, f)));
  const pairs: FusionPair[] = [];
  for (const a of first) {
    for (const b of second) pairs.push({ name: `union(${a.name}+${b.name})`, members: [a.name, b.name] });
  }
  return pairs;
}

function selects(entry: string, model: FusionModel): boolean {
  if (entry.startsWith(FAMILY_PREFIX)) return sameFamily(model.family, entry.slice(FAMILY_PREFIX.length).trim());
  return entry === model.name;
}

function sameFamily(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
