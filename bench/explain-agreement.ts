/**
 * Exact Grad-CAM against the finite-difference fallback on a real exported model (issue 14's
 * agreement goal: Pearson r ≥ 0.999 on every image), for every image of a config's evaluation
 * split, as `medseg explain` reads them (same dataset resolution, decoding, reference masks and
 * explain.gradcam settings). Default: the trained demo U-Net.
 *
 *   npm run demo                             # writes demo/dermoscopy/ with dermoscopy-trained.medseg.yaml
 *   node --import tsx bench/explain-agreement.ts [config] [--model NAME] [--layer auto|TENSOR]... [--target prediction|reference]
 *
 * `--layer` may be given several times (default: the config's explain.gradcam.layer); each layer
 * gets its per-image table and a row in the summary table.
 *
 * Per image: Pearson r of the two maps at the layer's resolution (what the weights decide) and of
 * the heatmaps upsampled to the image (what heatmaps/ stores, before 8-bit quantisation); the
 * largest difference of the channel weights relative to the largest weight; the step the fallback
 * chose; then min / median / max over the images and seconds per image of each way. Prints a
 * Markdown table; CPU provider, the config's runtime threads; load average printed (the machine may
 * be shared).
 */
import { readFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { loadConfig } from '../server/src/core/config';
import type { MedsegConfig } from '../server/src/core/config/types';
import { resolveDataset } from '../server/src/core/dataset';
import { casesToExplain, ModelExplainer, sliceWithMostForeground, type CamTarget, type ImageExplanation } from '../server/src/core/explain';
import { readImage, readMask } from '../server/src/core/io';
import { maxOf } from '../server/src/core/util/arrays';
import { pearson } from '../test/core/onnx/reference/gradient';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

function flags(name: string): string[] {
  return process.argv.flatMap((a, i) => (a === `--${name}` && process.argv[i + 1] !== undefined ? [process.argv[i + 1]] : []));
}

const configPath = process.argv.slice(2).find((a, i, all) => !a.startsWith('--') && !(i > 0 && all[i - 1].startsWith('--'))) ?? 'demo/dermoscopy/dermoscopy-trained.medseg.yaml';

function relativeDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(a[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

function quantile(values: readonly number[], q: number): number {
  const s = [...values].sort((x, y) => x - y);
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (pos - lo);
}

interface Row {
  id: string;
  camR: number;
  heatR: number;
  weights: number;
  step: number | undefined;
  targetPixels: number;
  exactGradient: string;
}

interface LayerResult {
  layer: string;
  rows: Row[];
  exactSeconds: number;
  differenceSeconds: number;
}

/** Both ways for every case at one layer. */
async function compareAtLayer(config: MedsegConfig, model: MedsegConfig['models'][number], cases: ReturnType<typeof casesToExplain>, layer: string, target: CamTarget): Promise<LayerResult> {
  const runtime = { ...config.runtime, provider: 'cpu' as const };
  const explainer = await ModelExplainer.create(model, await readFile(model.path!), runtime, { layer });
  const result: LayerResult = { layer: '', rows: [], exactSeconds: 0, differenceSeconds: 0 };
  try {
    const L = explainer.layer;
    result.layer = `${L.name} [${L.channels}×${L.height}×${L.width}]${layer === 'auto' ? ' (auto)' : ''}`;
    for (const c of cases) {
      const ref = await readMask(c.mask!, config.dataset.foreground, { slice: c.slice });
      const image = await readImage(c.image, { slice: c.slice });
      const slice = ref.depth > 1 ? sliceWithMostForeground(ref.data, ref.width, ref.height, ref.depth) : 0;
      const plane = ref.width * ref.height;
      const item = { slice, refSize: { width: ref.width, height: ref.height }, reference: ref.data.subarray(slice * plane, (slice + 1) * plane) };
      let t = performance.now();
      const exact: ImageExplanation = await explainer.explainImage(image, { ...item, method: 'gradcam', target, gradients: 'exact' });
      result.exactSeconds += (performance.now() - t) / 1000;
      t = performance.now();
      const diff: ImageExplanation = await explainer.explainImage(image, { ...item, method: 'gradcam', target, gradients: 'differences' });
      result.differenceSeconds += (performance.now() - t) / 1000;
      result.rows.push({
        id: c.id,
        camR: pearson(exact.cam, diff.cam),
        heatR: pearson(exact.heat, diff.heat),
        weights: exact.weights && diff.weights ? relativeDifference(exact.weights, diff.weights) : NaN,
        step: diff.relativeStep,
        targetPixels: exact.targetPixels,
        exactGradient: exact.gradient ?? '?',
      });
    }
  } finally {
    await explainer.dispose();
  }
  return result;
}

async function main(): Promise<void> {
  const parsed = await loadConfig(configPath);
  if (!parsed.config) {
    const errors = parsed.findings.filter((f) => f.severity === 'error').map((f) => `  ${f.message}`);
    throw new Error(`${configPath} cannot be used:\n${errors.join('\n')}\n(npm run demo writes demo/dermoscopy/dermoscopy-trained.medseg.yaml when demo-assets/ has the trained model.)`);
  }
  const config: MedsegConfig = parsed.config;
  const modelName = flag('model') ?? (config.models.some((m) => m.name === 'resnet-unet') ? 'resnet-unet' : config.models[0]?.name);
  const model = config.models.find((m) => m.name === modelName);
  if (!model?.path) throw new Error(`${configPath} has no ONNX model named ${modelName}; pass --model with one of ${config.models.map((m) => m.name).join(', ')}`);
  const target = (flag('target') ?? config.explain.gradcam.target) as CamTarget;
  const layers = flags('layer').length > 0 ? flags('layer') : [config.explain.gradcam.layer];
  const dataset = await resolveDataset(config);
  const cases = casesToExplain(dataset.cases, config.evaluation.split, 'all').filter((c) => c.mask);
  if (cases.length === 0) throw new Error(`${configPath}: no image with a reference in split ${config.evaluation.split}`);

  process.stdout.write(`# exact Grad-CAM vs finite differences · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · Node ${process.version} · ${new Date().toISOString().slice(0, 10)}\n`);
  process.stdout.write(`load average at start ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  process.stdout.write(`${configPath} · model ${model.name} · target ${target} · split ${config.evaluation.split}, ${cases.length} images\n`);
  const results: LayerResult[] = [];
  for (const layer of layers) {
    const r = await compareAtLayer(config, model, cases, layer, target);
    results.push(r);
    process.stdout.write(`\n## ${r.layer}\n\n| image | target pixels | r (layer map) | r (heatmap) | weights max Δ / max | fallback step (× RMS) |\n|---|---:|---:|---:|---:|---:|\n`);
    for (const row of r.rows) {
      process.stdout.write(`| ${row.id} | ${row.targetPixels} | ${row.camR.toFixed(6)} | ${row.heatR.toFixed(6)} | ${row.weights.toExponential(1)} | ${row.step === undefined ? '–' : row.step.toExponential(0)} |\n`);
    }
  }

  process.stdout.write(`\n## Summary: ${model.name}, ${cases.length} images of split ${config.evaluation.split}, target ${target}\n\n`);
  process.stdout.write('| layer | images (with a target) | r layer map: min / median / max | r heatmap: min / median / max | weights max Δ / max (worst) | images with r < 0.999 | exact s/image | differences s/image |\n|---|---:|---:|---:|---:|---:|---:|---:|\n');
  for (const r of results) {
    const explained = r.rows.filter((row) => row.targetPixels > 0);
    const summary = (pick: (row: Row) => number) => {
      const v = explained.map(pick);
      return v.length === 0 ? '–' : `${quantile(v, 0).toFixed(6)} / ${quantile(v, 0.5).toFixed(6)} / ${quantile(v, 1).toFixed(6)}`;
    };
    const below = explained.filter((row) => row.camR < 0.999 || row.heatR < 0.999).map((row) => row.id);
    process.stdout.write(
      `| ${r.layer} | ${r.rows.length} (${explained.length}) | ${summary((row) => row.camR)} | ${summary((row) => row.heatR)} | ${explained.length ? maxOf(explained.map((row) => row.weights), NaN).toExponential(1) : '–'} | ${below.length ? below.join(', ') : 'none'} | ${(r.exactSeconds / r.rows.length).toFixed(3)} | ${(r.differenceSeconds / r.rows.length).toFixed(3)} |\n`,
    );
    const notExact = r.rows.filter((row) => row.exactGradient !== 'exact');
    if (notExact.length) process.stdout.write(`\nNote: at ${r.layer}, ${notExact.length} images did not get exact gradients (${notExact[0].exactGradient}).\n`);
  }
  process.stdout.write(`\nload average at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
