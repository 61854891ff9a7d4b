/**
 * Pure decisions of the mask preview (no DOM): which method a layer belongs to, which layers
 * are visible for a model-picker choice, and recolouring overlays to the user's colours.
 * Kept apart from the DOM code so it is tested in Node.
 */
import type { PreviewDataResult, PreviewLayer, PreviewLayerKind } from '../../../server/src/protocol';
import { MEASURE_METRICS } from '../../../server/src/protocol/reportData';
import type { PreviewSettings } from './previewMessages';

/** Layer kinds drawn from bottom to top. */
export const LAYER_ORDER: readonly PreviewLayerKind[] = ['image', 'heatmap', 'reference', 'fusion', 'prediction', 'errors'];

/**
 * The method (model name or `fusion:…`) a layer shows. The server names per-method layers
 * `<kind>:<method>` and fusion layers by the method itself (`fusion:union`).
 */
export function layerMethod(layer: Pick<PreviewLayer, 'id' | 'kind'>): string | undefined {
  if (layer.kind === 'fusion') return layer.id;
  if (layer.kind === 'prediction' || layer.kind === 'errors' || layer.kind === 'heatmap') {
    const colon = layer.id.indexOf(':');
    return colon >= 0 ? layer.id.slice(colon + 1) : undefined;
  }
  return undefined;
}

/** Methods a picker offers, in the server's layer order, without repeats. */
export function pickableMethods(layers: readonly Pick<PreviewLayer, 'id' | 'kind'>[]): string[] {
  const out: string[] = [];
  for (const l of layers) {
    const m = layerMethod(l);
    if (m !== undefined && !out.includes(m)) out.push(m);
  }
  return out;
}

/** Layers sorted bottom-to-top; the server's order is kept within a kind. */
export function sortLayers<T extends Pick<PreviewLayer, 'kind'>>(layers: readonly T[]): T[] {
  const rank = (k: PreviewLayerKind) => {
    const i = LAYER_ORDER.indexOf(k);
    return i < 0 ? LAYER_ORDER.length : i;
  };
  return layers
    .map((layer, index) => ({ layer, index }))
    .sort((a, b) => rank(a.layer.kind) - rank(b.layer.kind) || a.index - b.index)
    .map((x) => x.layer);
}

/**
 * Initial visibility: the image always; other kinds when the settings list them; per-method
 * layers only for the picked method (all methods when none is picked). The error map of one
 * method replaces its prediction fill, so with a method picked and errors visible the prediction
 * starts hidden.
 */
export function initialVisibility(layers: readonly Pick<PreviewLayer, 'id' | 'kind'>[], visibleKinds: readonly PreviewLayerKind[], method: string | undefined): Map<string, boolean> {
  const out = new Map<string, boolean>();
  const errorsShown = visibleKinds.includes('errors');
  for (const l of layers) {
    if (l.kind === 'image') {
      out.set(l.id, true);
      continue;
    }
    let visible = visibleKinds.includes(l.kind);
    const m = layerMethod(l);
    if (visible && method !== undefined && m !== undefined) visible = m === method;
    if (visible && method !== undefined && l.kind === 'prediction' && errorsShown && layers.some((o) => o.kind === 'errors' && layerMethod(o) === m)) visible = false;
    out.set(l.id, visible);
  }
  return out;
}

/** The method the picker starts on: the requested one when present, else the first model. */
export function defaultMethod(layers: readonly Pick<PreviewLayer, 'id' | 'kind'>[], requested: string | undefined): string | undefined {
  const methods = pickableMethods(layers);
  if (requested !== undefined && methods.includes(requested)) return requested;
  const firstModel = layers.find((l) => l.kind === 'prediction' || l.kind === 'errors');
  return firstModel ? layerMethod(firstModel) : methods[0];
}

export type Rgb = [number, number, number];

/** `#rgb` / `#rrggbb` → [r, g, b]; undefined for anything else (an empty setting). */
export function parseHexColour(text: string | undefined): Rgb | undefined {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec((text ?? '').trim());
  if (!m) return undefined;
  const h = m[1].length === 3 ? [...m[1]].map((c) => c + c).join('') : m[1];
  return [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16)];
}

/**
 * Colour replacements for a layer: `from` colours (the server's, from its legend) → the user's.
 * A reference layer has one colour (any opaque pixel); error maps map by legend meaning.
 */
export function colourMapFor(layer: Pick<PreviewLayer, 'kind' | 'legend'>, colours: PreviewSettings['colours']): { from?: Rgb; to: Rgb }[] {
  if (layer.kind === 'reference') {
    const to = parseHexColour(colours.reference);
    return to ? [{ to }] : [];
  }
  if (layer.kind !== 'errors' || !layer.legend) return [];
  const out: { from?: Rgb; to: Rgb }[] = [];
  for (const entry of layer.legend) {
    const from = parseHexColour(entry.colour);
    const label = entry.label.toLowerCase();
    const wanted = label.includes('true positive') ? colours.truePositive : label.includes('false positive') ? colours.falsePositive : label.includes('false negative') ? colours.falseNegative : '';
    const to = parseHexColour(wanted);
    if (from && to) out.push({ from, to });
  }
  return out;
}

/**
 * Recolours RGBA pixels in place: a pixel with alpha > 0 whose RGB equals a `from` colour (or
 * any such pixel when `from` is absent) takes the `to` colour, alpha kept. Exact matches only:
 * the server draws flat colours, and anti-aliasing never touches them (nearest-neighbour PNGs).
 */
export function recolour(rgba: Uint8ClampedArray | Uint8Array, map: readonly { from?: Rgb; to: Rgb }[]): number {
  if (map.length === 0) return 0;
  let changed = 0;
  for (let i = 0; i < rgba.length; i += 4) {
    if (rgba[i + 3] === 0) continue;
    for (const { from, to } of map) {
      if (from && (rgba[i] !== from[0] || rgba[i + 1] !== from[1] || rgba[i + 2] !== from[2])) continue;
      rgba[i] = to[0];
      rgba[i + 1] = to[1];
      rgba[i + 2] = to[2];
      changed++;
      break;
    }
  }
  return changed;
}

/** Zoom steps keep integer or unit-fraction scales so pixels stay square and sharp. */
export function nextZoom(current: number, direction: 1 | -1): number {
  const steps = [0.125, 0.25, 0.5, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32];
  if (direction > 0) return steps.find((s) => s > current + 1e-9) ?? steps[steps.length - 1];
  return [...steps].reverse().find((s) => s < current - 1e-9) ?? steps[0];
}

/** The largest scale from the zoom steps at which an image fits a viewport (at least 1/8). */
export function fitZoom(width: number, height: number, viewWidth: number, viewHeight: number): number {
  if (width <= 0 || height <= 0 || viewWidth <= 0 || viewHeight <= 0) return 1;
  const exact = Math.min(viewWidth / width, viewHeight / height);
  if (exact >= 1) return Math.max(1, Math.floor(exact));
  let z = 1;
  while (z > 0.125 && z > exact) z /= 2;
  return z;
}

/** Metric cells of the per-image table: fixed digits, `–` for undefined, distances and volumes in pixels/mm/mL. */
export function formatMetric(metric: string, value: number | undefined): string {
  if (value === undefined || value === null || Number.isNaN(value)) return '–';
  return MEASURE_METRICS.includes(metric) || metric.endsWith('_pixels') ? (Number.isInteger(value) ? String(value) : value.toFixed(2)) : value.toFixed(3);
}

/**
 * What the metrics panel says for an image without results: that no evaluation ran, or that the
 * last one was of another split (and which), so an image of the train split after a test-split
 * evaluation does not read as "nothing happened".
 */
export function noResultsNote(data: Pick<PreviewDataResult, 'split' | 'evaluatedSplit'>): string {
  const evaluated = data.evaluatedSplit;
  if (!evaluated) return 'No results yet: run MedSeg: Run Evaluation.';
  if (evaluated !== 'all' && data.split !== evaluated) {
    const here = data.split ? `this image is in ${data.split}` : 'this image is in no split';
    return `No results for this image: the last evaluation was of the ${evaluated} split and ${here}. Pick a ${evaluated} image (Open Preview lists them first, worst Dice first), or evaluate ${data.split ?? 'all'} (MedSeg: Run Evaluation).`;
  }
  return `No results for this image in the last evaluation (${evaluated === 'all' ? 'all images' : `${evaluated} split`}): it could not be evaluated; report.html lists the failures.`;
}
