/**
 * Which way each metric improves, for ranking methods (selection, the report's fusion gains):
 * overlap and agreement metrics upwards, distances and absolute volume differences downwards, the
 * signed relative volume difference towards 0.
 */
import type { MetricName } from '../config/types';

export type MetricDirection = 'higher' | 'lower' | 'zero';

const LOWER: ReadonlySet<MetricName> = new Set<MetricName>(['hd95', 'hd', 'assd', 'masd', 'avd']);

export function metricDirection(metric: MetricName): MetricDirection {
  if (metric === 'rvd') return 'zero';
  return LOWER.has(metric) ? 'lower' : 'higher';
}

/** Whether value `x` of `metric` is strictly better than `y`. */
export function isBetter(metric: MetricName, x: number, y: number): boolean {
  const direction = metricDirection(metric);
  if (direction === 'lower') return x < y;
  if (direction === 'zero') return Math.abs(x) < Math.abs(y);
  return x > y;
}

/** How much better `x` is than `y` (positive = better), in the metric's units. */
export function improvement(metric: MetricName, x: number, y: number): number {
  const direction = metricDirection(metric);
  if (direction === 'lower') return y - x;
  if (direction === 'zero') return Math.abs(y) - Math.abs(x);
  return x - y;
}
