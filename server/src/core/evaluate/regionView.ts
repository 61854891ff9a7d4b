/**
 * One region of `dataset.regions` as a binary experiment: the references read by the region's
 * labels, the models that predict it (each told how its region comes out of its output), and the
 * region's NSD tolerance. The whole binary pipeline then runs on it unchanged, so every region gets
 * exactly what a binary evaluation gets: metrics, fusion, statistics, files and report.
 */
import { regionForeground, regionsOfModel } from '../config/regions';
import type { MedsegConfig, ModelConfig, RegionConfig, RegionMapping } from '../config/types';
import { DEFAULT_METRIC_SETTINGS } from '../metrics';

/** How `region` comes out of a model that predicts every region (undefined: the model is binary). */
function mappingOf(m: ModelConfig, region: RegionConfig): RegionMapping | undefined {
  if (m.region !== undefined || m.path === undefined) return undefined;
  if (m.output.activation === 'sigmoid') return { kind: 'sigmoid', channel: m.output.regionChannels![region.name] };
  return { kind: 'softmax', ...(m.output.labels ? { channelLabels: m.output.labels } : {}), labels: region.labels };
}

function regionModel(m: ModelConfig, region: RegionConfig, config: MedsegConfig): ModelConfig {
  const regions = config.dataset.regions!;
  if (m.predictions !== undefined) {
    // A one-region model's files are that region's masks; the others are label maps read by the region's rule.
    if (m.region !== undefined) return { ...m, predictionRule: { kind: 'nonzero' } };
    return { ...m, predictionValues: 'labels', predictionRule: regionForeground(region, regions, config.dataset.otherLabels) };
  }
  const mapping = mappingOf(m, region);
  if (!mapping) return m;
  // Every channel is kept, so one cached inference serves every region (the key has no region in it).
  return { ...m, output: { ...m.output, planes: 'all' }, regionMapping: mapping };
}

export function regionView(config: MedsegConfig, region: RegionConfig): MedsegConfig {
  const regions = config.dataset.regions;
  if (!regions) throw new Error('regionView: the config has no dataset.regions');
  const { regions: _all, otherLabels: _other, ...dataset } = config.dataset;
  const settings = config.evaluation.metricSettings ?? DEFAULT_METRIC_SETTINGS;
  return {
    ...config,
    // The region names itself wherever the binary results show the experiment (its summary.json, report and dashboard title).
    name: `${config.name} · ${region.name}`,
    dataset: { ...dataset, foreground: regionForeground(region, regions, config.dataset.otherLabels) },
    models: config.models.filter((m) => regionsOfModel(m, regions).some((r) => r.name === region.name)).map((m) => regionModel(m, region, config)),
    evaluation: { ...config.evaluation, metricSettings: { ...settings, nsdTolerance: region.nsdTolerance ?? settings.nsdTolerance } },
  };
}
