/**
 * A hand-written `medseg explain` output for the evaluate fixture (test/fixtures/evaluate/data:
 * images img_00 … img_11, 24 × 20, models a and b): explain/gradcam/explain.json, the rows of both
 * models and their heatmaps, as the pipeline lays them out. For the report, dashboard and language
 * server tests of the explanations section.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';

export const FIXTURE_IDS = Array.from({ length: 12 }, (_, i) => `img_${String(i).padStart(2, '0')}`);
const WIDTH = 24;
const HEIGHT = 20;

const stat = (mean: number, lo: number, hi: number, n = 12) => ({ n, excluded: 0, mean, median: mean, std: 0.1, ci95: [lo, hi] });

/** Heat inside the reference per image: model a from 1/13 up to 12/13, model b the other way round. */
export function fixtureShare(model: 'a' | 'b', i: number): number {
  return model === 'a' ? (i + 1) / 13 : (12 - i) / 13;
}

export const FIXTURE_FAMILY_SENTENCE =
  "Heat inside the reference: TII 50.0% vs LMI 50.0% on 12 images (each image: the mean over the family's models); Wilcoxon signed-rank, W = 39, p = 1.0, Holm-adjusted p = 1.0; matched-pairs rank-biserial correlation 0.00.";

export async function writeExplainFixture(outputDir: string, options: { split?: string; time?: string } = {}): Promise<void> {
  const model = (family: string, gradient: string) => ({
    family,
    layer: { name: 'features', op: 'Relu', channels: 2, height: HEIGHT, width: WIDTH, depth: 2, rule: 'auto' },
    provider: 'cpu',
    gradient,
    images: 12,
    resumed: 0,
    summary: { dice: stat(0.8, 0.7, 0.9), inside_reference: stat(0.5, 0.35, 0.65), inside_prediction: stat(0.6, 0.5, 0.7), inside_fp: stat(0.3, 0.2, 0.4), inside_fn: stat(0.1, 0.05, 0.15) },
    seconds_per_image: 0.004,
  });
  const report = {
    experiment: 'fixture',
    time: options.time ?? '2026-02-03T04:05:06.000Z',
    engine_version: '0.1.0',
    config: 'fixture.medseg.yaml',
    split: options.split ?? 'all',
    method: 'gradcam',
    target: 'prediction',
    image_rule: 'every case of the split with a reference mask',
    layer_rule: 'the deepest feature map',
    models: { a: { ...model('TII', 'exact'), rows: 'explain/gradcam/a.csv', heatmaps: 'heatmaps/gradcam/a/' }, b: { ...model('LMI', 'differences'), gradient_note: 'finite differences asked for', rows: 'explain/gradcam/b.csv', heatmaps: 'heatmaps/gradcam/b/' } },
    comparisons: [{ a: 'a', b: 'b', metric: 'inside_reference', n: 12, mean_difference: 0, test: 'Wilcoxon signed-rank', statistic: 39, p: 1, p_adjusted: 1, effect_size: 0, effect_name: 'matched-pairs rank-biserial correlation' }],
    families: [{ a: 'TII', b: 'LMI', metric: 'inside_reference', n: 12, mean_difference: 0, test: 'Wilcoxon signed-rank', statistic: 39, p: 1, p_adjusted: 1, effect_size: 0, effect_name: 'matched-pairs rank-biserial correlation', mean_a: 0.5, mean_b: 0.5 }],
    failures: [],
  };
  mkdirSync(join(outputDir, 'explain', 'gradcam'), { recursive: true });
  writeFileSync(join(outputDir, 'explain', 'gradcam', 'explain.json'), JSON.stringify(report, null, 2));
  writeFileSync(join(outputDir, 'explain.json'), JSON.stringify(report, null, 2));
  // A horizontal ramp of heat, hottest on the right.
  const heat = new Uint8Array(WIDTH * HEIGHT);
  for (let y = 0; y < HEIGHT; y++) for (let x = 0; x < WIDTH; x++) heat[y * WIDTH + x] = Math.round((255 * x) / (WIDTH - 1));
  const png = await sharp(Buffer.from(heat), { raw: { width: WIDTH, height: HEIGHT, channels: 1 } }).toColourspace('b-w').png().toBuffer();
  for (const m of ['a', 'b'] as const) {
    mkdirSync(join(outputDir, 'heatmaps', 'gradcam', m), { recursive: true });
    const lines = ['image_id,split,slice,heatmap,heat_max,target_pixels,dice,inside_reference,inside_prediction,inside_fp,inside_fn,gradient,epsilon,relative_step,explained_variance,seconds'];
    FIXTURE_IDS.forEach((id, i) => {
      writeFileSync(join(outputDir, 'heatmaps', 'gradcam', m, `${id}.png`), png);
      const share = fixtureShare(m, i);
      lines.push(`${id},,,heatmaps/gradcam/${m}/${id}.png,0.5,40,0.8,${share},0.9,${1 - share},0,exact,,,,0.004`);
    });
    writeFileSync(join(outputDir, 'explain', 'gradcam', `${m}.csv`), lines.join('\n') + '\n');
  }
}
