/**
 * STAPLE's estimates on each fused case — every member's sensitivity and specificity, the EM
 * iterations, whether it converged — in typed arrays over the run's case axis, for the means
 * summary.json reports and for the shard parts a merge reads.
 */

/** STAPLE's estimates on one case, as shard parts store them. */
export interface StapleRun {
  imageId: string;
  sensitivity: number[];
  specificity: number[];
  iterations: number;
  converged: boolean;
}

export class StapleRuns {
  private readonly sensitivity: Float64Array;
  private readonly specificity: Float64Array;
  private readonly iterations: Float64Array;
  private readonly converged: Uint8Array;
  private readonly present: Uint8Array;

  /** `members` fused models, `cases` positions on the case axis. */
  constructor(readonly members: number, readonly cases: number) {
    this.sensitivity = new Float64Array(members * cases);
    this.specificity = new Float64Array(members * cases);
    this.iterations = new Float64Array(cases);
    this.converged = new Uint8Array(cases);
    this.present = new Uint8Array(cases);
  }

  /** Case `index`'s estimates. */
  set(index: number, run: Omit<StapleRun, 'imageId'>): void {
    if (run.sensitivity.length !== this.members || run.specificity.length !== this.members) {
      throw new RangeError(`StapleRuns.set: ${run.sensitivity.length} sensitivities for ${this.members} members`);
    }
    this.sensitivity.set(run.sensitivity, index * this.members);
    this.specificity.set(run.specificity, index * this.members);
    this.iterations[index] = run.iterations;
    this.converged[index] = run.converged ? 1 : 0;
    this.present[index] = 1;
  }

  /** Cases with estimates. */
  get count(): number {
    let n = 0;
    for (let i = 0; i < this.cases; i++) n += this.present[i];
    return n;
  }

  get notConverged(): number {
    let n = 0;
    for (let i = 0; i < this.cases; i++) if (this.present[i] && !this.converged[i]) n++;
    return n;
  }

  /** Per member, the mean over cases (summed in case order) of its sensitivity or specificity. */
  means(which: 'sensitivity' | 'specificity'): number[] {
    const values = which === 'sensitivity' ? this.sensitivity : this.specificity;
    const sums = new Array<number>(this.members).fill(0);
    for (let i = 0; i < this.cases; i++) {
      if (!this.present[i]) continue;
      for (let k = 0; k < this.members; k++) sums[k] += values[i * this.members + k];
    }
    const n = this.count;
    return sums.map((s) => s / n);
  }

  /** The estimates as objects, in case order, for the shard parts file. */
  toRuns(caseIds: readonly string[]): StapleRun[] {
    const out: StapleRun[] = [];
    for (let i = 0; i < this.cases; i++) {
      if (!this.present[i]) continue;
      const at = i * this.members;
      out.push({
        imageId: caseIds[i],
        sensitivity: Array.from(this.sensitivity.subarray(at, at + this.members)),
        specificity: Array.from(this.specificity.subarray(at, at + this.members)),
        iterations: this.iterations[i],
        converged: this.converged[i] === 1,
      });
    }
    return out;
  }
}
