/** Pure helpers for progress and provider display (tested without VS Code). */

/** `CUDA`, `CPU`, `auto → CPU` …: what the status bar shows for a setting and the last run. */
export function providerLabel(setting: string, lastUsed: string | undefined): string {
  const name = (p: string) => (p === 'cpu' ? 'CPU' : p === 'cuda' ? 'CUDA' : p === 'webgpu' ? 'WebGPU' : p === 'tensorrt' ? 'TensorRT' : p);
  if (setting === 'auto') return lastUsed ? `auto → ${name(lastUsed.toLowerCase())}` : 'auto';
  return name(setting);
}

/**
 * VS Code's progress takes increments; the server reports fractions. Turns the fractions into
 * increments that never go backwards and never add up past 100.
 */
export class ProgressIncrements {
  private reported = 0;

  /** The increment (percent) to report for a new fraction, 0 when it does not advance. */
  next(fraction: number | undefined): number {
    if (fraction === undefined || !Number.isFinite(fraction)) return 0;
    const percent = Math.min(100, Math.max(0, fraction * 100));
    const increment = percent - this.reported;
    if (increment <= 0) return 0;
    this.reported = percent;
    return increment;
  }

  get percent(): number {
    return this.reported;
  }
}
