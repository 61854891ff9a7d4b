import type { DatasetCase } from './types';

/** What an id in a CSV row names: one case, or (axial slicing) every slice of a volume. */
export interface CaseTarget {
  cases: DatasetCase[];
  wholeVolume: boolean;
}

export class CaseLookup {
  private readonly byId = new Map<string, DatasetCase>();
  private readonly byVolume = new Map<string, DatasetCase[]>();

  constructor(cases: readonly DatasetCase[]) {
    for (const c of cases) {
      this.byId.set(c.id, c);
      if (c.volume !== undefined) {
        const list = this.byVolume.get(c.volume);
        if (list) list.push(c);
        else this.byVolume.set(c.volume, [c]);
      }
    }
  }

  find(id: string): CaseTarget | undefined {
    const one = this.byId.get(id);
    if (one) return { cases: [one], wholeVolume: false };
    const slices = this.byVolume.get(id);
    return slices ? { cases: slices, wholeVolume: true } : undefined;
  }
}

/** The id a person names a case by in a summary: its volume for a slice, else its own id. */
export function displayIdOf(c: DatasetCase): string {
  return c.volume ?? c.id;
}
