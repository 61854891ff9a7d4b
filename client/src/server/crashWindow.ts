/** Counts crashes in a sliding time window: restart while fewer than `limit` fell in `windowMs`. */
export class CrashWindow {
  private readonly times: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Records a crash at `now`; true when a restart is still allowed. */
  record(now: number): boolean {
    this.times.push(now);
    while (this.times.length && now - this.times[0] > this.windowMs) this.times.shift();
    return this.times.length < this.limit;
  }
}
