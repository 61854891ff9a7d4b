/**
 * `dataset.regions` and the models' region keys (`region`, `output.labels`,
 * `output.region_channels`), typed and checked against each other: every region a model is said
 * to predict exists, every label a region needs is an output channel of a softmax model, and a
 * multi-region model says how its channels map to regions.
 */
import { InputError, type ConfigPath, type Finding } from '../findings';
import type { ForegroundRule } from '../io/types';
import { SAFE_NAME_RULE, segmentProblem } from '../util/pathSegment';
import { didYouMean } from './schemaFindings';
import type { ModelConfig, RegionConfig, RegionMapping } from './types';

type At = (configPath: ConfigPath, severity: Finding['severity'], code: string, message: string, fix?: Finding['fix']) => void;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = any;

/** `dataset.regions` in config order; undefined without the key. */
export function typedRegions(d: Raw, at: At): RegionConfig[] | undefined {
  const raw = d.regions as Record<string, number[] | { labels: number[]; nsd_tolerance?: number }> | undefined;
  if (raw === undefined) return undefined;
  const fg = d.foreground;
  if (fg !== undefined && fg !== 'nonzero') {
    at(
      ['dataset', 'foreground'],
      'error',
      'config/regions-and-foreground',
      '`dataset.regions` names the labels of each region, so `foreground` has no meaning beside it: remove it (a pixel is in a region when its value is one of the region\'s labels; labels of structures in no region go in `other_labels`).',
    );
  }
  const others = new Set<number>(d.other_labels ?? []);
  return Object.entries(raw).map(([name, value]) => {
    const problem = segmentProblem(name);
    if (problem) at(['dataset', 'regions', name], 'error', 'config/unsafe-name', `The region name \`${name}\` ${problem}, so it cannot be a results folder: rename it (${SAFE_NAME_RULE}).`);
    const labels = Array.isArray(value) ? value : value.labels;
    for (const l of labels.filter((x) => others.has(x))) {
      at(['dataset', 'regions', name], 'error', 'config/other-labels', `${l} is a label of region \`${name}\` and one of \`other_labels\`: \`other_labels\` are structures in no region; remove it from one list.`);
    }
    return Array.isArray(value) ? { name, labels: value } : { name, labels: value.labels, ...(value.nsd_tolerance !== undefined ? { nsdTolerance: value.nsd_tolerance } : {}) };
  });
}

/** The region keys of `models[index]` as the typed config holds them. */
export function typedModelRegionKeys(m: Raw): Pick<ModelConfig, 'region'> & { labels?: number[]; regionChannels?: Record<string, number> } {
  return {
    ...(m.region !== undefined ? { region: m.region as string } : {}),
    ...(m.output?.labels !== undefined ? { labels: m.output.labels as number[] } : {}),
    ...(m.output?.region_channels !== undefined ? { regionChannels: m.output.region_channels as Record<string, number> } : {}),
  };
}

function unknownRegion(at: At, path: ConfigPath, name: string, regions: readonly RegionConfig[]): void {
  const names = regions.map((r) => r.name);
  const suggestion = didYouMean(name, names);
  at(path, 'error', 'config/unknown-region', `\`${name}\` names no region of \`dataset.regions\`` + (suggestion ? `: did you mean \`${suggestion}\`?` : ` (regions: ${names.join(', ')}).`), suggestion ? { replacement: suggestion } : undefined);
}

/** Checks each model's region keys against `dataset.regions` (or their absence), and that every region has a model. */
export function checkModelRegions(models: readonly ModelConfig[], regions: readonly RegionConfig[] | undefined, at: At): void {
  if (regions && models.length > 0) {
    for (const r of regions) {
      if (models.some((m) => regionsOfModel(m, regions).some((x) => x.name === r.name))) continue;
      at(['dataset', 'regions', r.name], 'warning', 'config/region-without-models', `No model predicts region \`${r.name}\`: it is evaluated with no method (an empty table). Give a model \`region: ${r.name}\`, a \`region_channels\` entry, or a softmax output; or remove the region.`);
    }
  }
  for (const m of models) {
    const path = (...rest: (string | number)[]): ConfigPath => ['models', m.index, ...rest];
    if (!regions) {
      if (m.region !== undefined) at(path('region'), 'error', 'config/region-without-regions', `Model \`${m.name}\` has \`region: ${m.region}\` but the config has no \`dataset.regions\`: add the regions (e.g. \`kidney: [1, 2]\`), or remove \`region\`.`);
      if (m.output.labels) at(path('output', 'labels'), 'warning', 'config/region-without-regions', '`output.labels` maps softmax channels to labels for `dataset.regions`, which this config does not have: it has no effect.');
      if (m.output.regionChannels) at(path('output', 'region_channels'), 'warning', 'config/region-without-regions', '`output.region_channels` maps sigmoid channels to `dataset.regions`, which this config does not have: it has no effect.');
      continue;
    }
    if (m.region !== undefined) {
      if (!regions.some((r) => r.name === m.region)) unknownRegion(at, path('region'), m.region, regions);
      continue; // a one-region model is binary: its output keys mean what they mean without regions
    }
    if (m.predictions !== undefined) {
      if (m.predictionValues === 'probabilities') {
        at(path('prediction_values'), 'error', 'config/region-mapping', `Model \`${m.name}\` predicts every region from probability files, which hold one foreground: give it \`region: <name>\` (one binary region), or store label maps (\`prediction_values: labels\`).`);
      }
      continue;
    }
    checkOnnxRegionMapping(m, regions, path, at);
  }
}

function checkOnnxRegionMapping(m: ModelConfig, regions: readonly RegionConfig[], path: (...rest: (string | number)[]) => ConfigPath, at: At): void {
  const { activation, labels, regionChannels } = m.output;
  if (activation === 'softmax') {
    if (regionChannels) at(path('output', 'region_channels'), 'warning', 'config/region-mapping', '`output.region_channels` is for sigmoid outputs; a softmax output maps channels to labels with `output.labels`.');
    if (labels) {
      const needed = [...new Set(regions.flatMap((r) => r.labels))].filter((l) => !labels.includes(l));
      if (needed.length > 0) {
        at(path('output', 'labels'), 'error', 'config/region-mapping', `\`output.labels\` of model \`${m.name}\` has no channel for label${needed.length > 1 ? 's' : ''} ${needed.join(', ')}, which \`dataset.regions\` uses: list every output channel's label in channel order.`);
      }
    }
    return;
  }
  if (activation === 'sigmoid') {
    if (labels) at(path('output', 'labels'), 'warning', 'config/region-mapping', '`output.labels` is for softmax outputs; sigmoid outputs give each region its channel with `output.region_channels`.');
    if (!regionChannels) {
      at(
        path('output'),
        'error',
        'config/region-mapping',
        `Model \`${m.name}\` has a sigmoid output and predicts every region: say which channel is which region (\`region_channels: { ${regions.map((r, i) => `${r.name}: ${i}`).join(', ')} }\`), use \`activation: softmax\` for a softmax over labels, or give a binary model its \`region\`.`,
      );
      return;
    }
    for (const name of Object.keys(regionChannels)) if (!regions.some((r) => r.name === name)) unknownRegion(at, path('output', 'region_channels', name), name, regions);
    return;
  }
  at(path('output', 'activation'), 'error', 'config/region-mapping', `Model \`${m.name}\` predicts every region, so its output must be per-label scores (\`activation: softmax\`) or per-region scores (\`activation: sigmoid\` with \`region_channels\`); a binary model takes \`region: <name>\`.`);
}

/** The regions a model is evaluated in: its own, its sigmoid channels' regions, or all of them. */
export function regionsOfModel(m: ModelConfig, regions: readonly RegionConfig[]): RegionConfig[] {
  if (m.region !== undefined) return regions.filter((r) => r.name === m.region);
  if (m.path !== undefined && m.output.activation === 'sigmoid' && m.output.regionChannels) return regions.filter((r) => m.output.regionChannels![r.name] !== undefined);
  return [...regions];
}

/**
 * A region's labels as a foreground rule: the other regions' labels (and `other_labels`) are other
 * structures, so a case without this region is a true empty reference, not a rule matching nothing.
 * Exhaustive: together they name every structure, so any other value is refused
 * (`mask/unnamed-labels`), never counted as background.
 */
export function regionForeground(region: RegionConfig, regions: readonly RegionConfig[], otherLabels: readonly number[] = []): ForegroundRule {
  const own = new Set(region.labels);
  const others = [...new Set([...regions.flatMap((r) => r.labels), ...otherLabels])].filter((l) => !own.has(l)).sort((a, b) => a - b);
  return others.length > 0 ? { kind: 'values', values: region.labels, otherLabels: others, exhaustive: true } : { kind: 'values', values: region.labels, exhaustive: true };
}

export const REGIONS_UNSUPPORTED = 'region/unsupported-command';

/**
 * Refuses a command that does not evaluate region by region yet, before it does anything: what it
 * would compute (one foreground) is not what a region config asks for.
 */
export function refuseRegions(config: { file: string; dataset: { regions?: readonly RegionConfig[] } }, command: string, instead: string): void {
  if (!config.dataset.regions) return;
  throw new InputError(config.file, `${config.file} evaluates \`dataset.regions\`, which \`${command}\` does not handle yet (it would treat the label map as one merged foreground): ${instead}`, REGIONS_UNSUPPORTED);
}

/**
 * What keeps a model whose output has `channels` channels from giving a region by `mapping`, if
 * anything: the `output` key to fix and why (one check for the model's opening and for the
 * prediction that reads the region).
 */
export function regionChannelsProblem(mapping: RegionMapping, channels: number): { key: 'region_channels' | 'activation' | 'labels'; message: string } | undefined {
  if (mapping.kind === 'sigmoid') {
    if (mapping.channel < channels) return undefined;
    return { key: 'region_channels', message: `it has ${channels} channel(s), so region channel ${mapping.channel} does not exist: use channels 0 to ${channels - 1}.` };
  }
  if (channels < 2) return { key: 'activation', message: 'one channel holds no labels to take the argmax of: a binary model evaluated in one region takes `region: <name>`.' };
  if (mapping.channelLabels && mapping.channelLabels.length !== channels) {
    return { key: 'labels', message: `it has ${channels} channels but \`output.labels\` lists ${mapping.channelLabels.length} labels: list the label of each channel, in channel order.` };
  }
  const labels = channelLabelsOf(mapping, channels);
  const missing = mapping.labels.filter((l) => !labels.includes(l));
  if (missing.length === 0) return undefined;
  return {
    key: mapping.channelLabels ? 'labels' : 'activation',
    message: `its ${channels} channels are labels ${labels.join(', ')}, without label ${missing.join(', ')} of the region: give the channels' labels with \`output.labels\`, or evaluate the model only in the regions it predicts (\`region\`).`,
  };
}

/** The label of each of a softmax output's `channels` channels: `output.labels`, or channel c is label c. */
export function channelLabelsOf(mapping: Extract<RegionMapping, { kind: 'softmax' }>, channels: number): number[] {
  return mapping.channelLabels ?? Array.from({ length: channels }, (_, c) => c);
}
