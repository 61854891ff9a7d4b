// The README's Grad-CAM figure: four test images of an explained model, each as the image, the
// image with the reference and the model's prediction outlined, and one Grad-CAM heatmap per
// explained results folder blended over it (the colour ramp of the editor preview and report.html,
// core/report/heatOverlay.ts), each heatmap labelled with its share of heat inside the reference;
// a caption row of per-image numbers and a legend.
//
//   npm run demo
//   npx medseg evaluate demo/dermoscopy/dermoscopy-trained.medseg.yaml
//   npx medseg explain demo/dermoscopy/dermoscopy-trained.medseg.yaml --method gradcam --images all
//   npx medseg explain demo/dermoscopy/dermoscopy-trained-decoder.medseg.yaml --method gradcam --images all
//   node --import tsx scripts/heatmap-figure.mjs demo/dermoscopy/dermoscopy-trained.medseg.yaml \
//        --also demo/dermoscopy/dermoscopy-trained-decoder.medseg.yaml
//
// Options: --model NAME (default resnet-unet), --method M (default gradcam), --also CONFIG (another
// explained config of the same model: one more heatmap row; repeatable), --images id,id,id,id,
// --out PATH (default media/screenshots/gradcam.png). Without --images it shows the images at the
// top, the two inner thirds and the bottom of the first heatmap row's ranking by heat inside the
// reference, so the figure shows the spread, not only the best cases.
import { readFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { parse as parseCsv } from 'csv-parse/sync';
import { loadConfig } from '../server/src/core/config/index.ts';
import { resolveDataset } from '../server/src/core/dataset/index.ts';
import { readImage, readMask } from '../server/src/core/io/index.ts';
import { heatRgba, REFERENCE_OUTLINE } from '../server/src/core/report/heatOverlay.ts';
import { caseFilePath } from '../server/src/core/results/fileNames.ts';
import { resultPath, resultsFolderOf } from '../server/src/core/results/resultPath.ts';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const flags = (name) => args.flatMap((a, i) => (a === `--${name}` && args[i + 1] ? [args[i + 1]] : []));
const configPath = args.find((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--'))) ?? 'demo/dermoscopy/dermoscopy-trained.medseg.yaml';
const modelName = flag('model', 'resnet-unet');
const method = flag('method', 'gradcam');
const out = flag('out', 'media/screenshots/gradcam.png');

const PANEL = 192; // the demo's 128-px images at 1.5×
const GAP = 8;
const LABEL_W = 150;
const HEAD_H = 38;
const CAPTION_H = 30;
const FOOT_H = 112;
const MARGIN = 14;
const PREDICTION_OUTLINE = [0xe6, 0x9f, 0x00]; // Okabe–Ito orange, apart from the reference's sky blue
const FONT = "font-family='DejaVu Sans, Liberation Sans, sans-serif'";
const METHOD_NAMES = { gradcam: 'Grad-CAM', 'gradcam++': 'Grad-CAM++', xgradcam: 'XGrad-CAM', hirescam: 'HiResCAM', layercam: 'LayerCAM', scorecam: 'Score-CAM', eigencam: 'Eigen-CAM' };

function fail(message) {
  process.stderr.write(`heatmap-figure: ${message}\n`);
  process.exit(1);
}

const escapeXml = (s) => String(s).replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]);
const pct = (x) => (x === '' || x === undefined || x === null || Number.isNaN(Number(x)) ? '–' : `${(100 * Number(x)).toFixed(0)} %`);

async function raw(input, channels, kernel) {
  const source = input.data ? Buffer.from(input.data.buffer, input.data.byteOffset, input.data.byteLength) : input.path;
  let img = sharp(source, input.data ? { raw: { width: input.width, height: input.height, channels } } : {}).resize(PANEL, PANEL, { fit: 'fill', kernel });
  img = channels === 1 ? img.toColourspace('b-w') : img.removeAlpha().toColourspace('srgb');
  const buf = await img.raw().toBuffer();
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/**
 * Pixels of `mask` (PANEL², non-zero = inside) that have an outside pixel within `width`
 * (Chebyshev): a band along its border. Beyond the image counts as outside when `edges` is set.
 */
function border(mask, width, edges = true) {
  const outline = new Uint8Array(PANEL * PANEL);
  for (let y = 0; y < PANEL; y++) {
    for (let x = 0; x < PANEL; x++) {
      if (!mask[y * PANEL + x]) continue;
      let edge = false;
      for (let dy = -width; dy <= width && !edge; dy++) {
        for (let dx = -width; dx <= width && !edge; dx++) {
          const yy = y + dy;
          const xx = x + dx;
          edge = yy < 0 || xx < 0 || yy >= PANEL || xx >= PANEL ? edges : !mask[yy * PANEL + xx];
        }
      }
      outline[y * PANEL + x] = edge ? 1 : 0;
    }
  }
  return outline;
}

function paint(rgb, outline, colour) {
  const painted = Uint8Array.from(rgb);
  for (let i = 0; i < outline.length; i++) if (outline[i]) painted.set(colour, 3 * i);
  return painted;
}

/** The heat (8-bit, 255 = the image's hottest pixel) over the image through the preview's ramp. */
function blendHeat(rgb, heat) {
  const blended = new Uint8Array(rgb.length);
  for (let i = 0; i < heat.length; i++) {
    const [r, g, b, a255] = heatRgba(heat[i] / 255);
    const a = a255 / 255;
    blended[3 * i] = Math.round(rgb[3 * i] * (1 - a) + r * a);
    blended[3 * i + 1] = Math.round(rgb[3 * i + 1] * (1 - a) + g * a);
    blended[3 * i + 2] = Math.round(rgb[3 * i + 2] * (1 - a) + b * a);
  }
  return blended;
}

const png = (rgb) => sharp(Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength), { raw: { width: PANEL, height: PANEL, channels: 3 } }).png().toBuffer();

/** The ramp of heatRgba over mid-grey, as the overlays show it. */
function rampPng(width, height) {
  const rgb = new Uint8Array(width * height * 3);
  for (let x = 0; x < width; x++) {
    const [r, g, b, a255] = heatRgba(x / (width - 1));
    const a = a255 / 255;
    const mixed = [Math.round(128 * (1 - a) + r * a), Math.round(128 * (1 - a) + g * a), Math.round(128 * (1 - a) + b * a)];
    for (let y = 0; y < height; y++) rgb.set(mixed, 3 * (y * width + x));
  }
  return sharp(Buffer.from(rgb.buffer), { raw: { width, height, channels: 3 } }).png().toBuffer();
}

/** `/decoder/blocks.3/conv2/conv2.2/Relu_output_0` → `decoder.blocks.3` (the module a PyTorch export names), else the tensor. */
function shortLayer(name) {
  const parts = name.split('/').filter(Boolean);
  return parts.length >= 3 ? `${parts[0]}.${parts[1]}` : name;
}

/** One explained results folder of `modelName`: its explain.json entry and per-image rows. */
async function heatSource(path) {
  const parsed = await loadConfig(path);
  if (!parsed.config) fail(`${path} cannot be used: ${parsed.findings.filter((f) => f.severity === 'error').map((f) => f.message).join('; ')}`);
  const config = parsed.config;
  const model = config.models.find((m) => m.name === modelName) ?? fail(`${path} has no model ${modelName} (--model names another)`);
  const results = resultsFolderOf(config);
  const jsonPath = resultPath(results, 'explain.json');
  const report = JSON.parse(await readFile(jsonPath, 'utf8').catch(() => fail(`no ${jsonPath}: run \`medseg explain ${path} --method ${method} --images all\` first`)));
  if (report.method !== method) fail(`${jsonPath} is of --method ${report.method}; run medseg explain ${path} with --method ${method} last`);
  const entry = report.models[model.name] ?? fail(`${jsonPath} has no model ${model.name}`);
  const rowsPath = resultPath(results, 'explain', method, `${model.name}.csv`);
  const rows = parseCsv(await readFile(rowsPath, 'utf8').catch(() => fail(`no ${rowsPath}`)), { columns: true, skip_empty_lines: true });
  return { config, model, results, report, entry, rows: new Map(rows.map((r) => [r.image_id, r])) };
}

function pickImages(rows) {
  const wanted = flag('images');
  if (wanted) return wanted.split(',').map((id) => rows.get(id) ?? fail(`${id} has no row in the explain CSV`));
  const ranked = [...rows.values()].filter((r) => Number(r.target_pixels) > 0 && r.inside_reference !== '').sort((a, b) => Number(b.inside_reference) - Number(a.inside_reference));
  if (ranked.length < 4) fail(`only ${ranked.length} explained images with a target; four are needed`);
  return [0, Math.round((ranked.length - 1) / 3), Math.round((2 * (ranked.length - 1)) / 3), ranked.length - 1].map((i) => ranked[i]);
}

function text(x, y, content, { size = 12, anchor = 'start', weight = 'normal', fill = '#333' } = {}) {
  return `<text x='${x}' y='${y}' text-anchor='${anchor}' font-size='${size}' font-weight='${weight}' fill='${fill}' ${FONT}>${content}</text>`;
}

async function main() {
  const sources = [await heatSource(configPath)];
  for (const extra of flags('also')) sources.push(await heatSource(extra));
  const [main] = sources;
  const picked = pickImages(main.rows);
  const dataset = await resolveDataset(main.config);
  const byId = new Map(dataset.cases.map((c) => [c.id, c]));

  const rowsCount = 2 + sources.length;
  const width = MARGIN * 2 + LABEL_W + 4 * PANEL + 3 * GAP;
  const gridBottom = MARGIN + HEAD_H + rowsCount * PANEL + (rowsCount - 1) * GAP;
  const height = gridBottom + CAPTION_H + FOOT_H + MARGIN;
  const layers = [];
  const svg = [];
  const x0 = MARGIN + LABEL_W;
  const rowTop = (r) => MARGIN + HEAD_H + r * (PANEL + GAP);
  const label = (r, lines) => {
    const cy = rowTop(r) + PANEL / 2 - ((lines.length - 1) * 16) / 2 + 5;
    lines.forEach((line, k) => svg.push(text(x0 - 12, cy + 16 * k, escapeXml(line), { size: k === 0 ? 15 : 12, anchor: 'end', weight: k === 0 ? 'bold' : 'normal', fill: k === 0 ? '#222' : '#555' })));
  };
  label(0, ['image']);
  label(1, ['reference', 'and prediction']);
  sources.forEach((s, k) => {
    const L = s.entry.layer;
    label(2 + k, [METHOD_NAMES[method] ?? method, ...(L.rule === 'auto' ? ['layer auto'] : []), shortLayer(L.name), `${L.channels}×${L.height}×${L.width}`]);
  });

  for (const [col, row] of picked.entries()) {
    const c = byId.get(row.image_id) ?? fail(`${row.image_id} is not in ${configPath}'s dataset`);
    const image = await readImage(c.image);
    if (image.channels !== 3 || image.depth !== 1) fail(`${c.image}: the figure draws 2-D RGB images`);
    const reference = await readMask(c.mask, main.config.dataset.foreground);
    const rgb = await raw(image, 3, 'lanczos3');
    const refOutline = border(await raw({ data: reference.data, width: reference.width, height: reference.height }, 1, 'nearest'), 1);
    // The prediction evaluate wrote; the figure goes on without its outline when there is none.
    const prediction = await raw({ path: caseFilePath(main.results, 'masks', main.model.name, c.id, '.png') }, 1, 'nearest').catch(() => undefined);
    // The prediction's band lies just outside it and the reference's just inside, so both show where they coincide.
    let outlined = paint(rgb, refOutline, REFERENCE_OUTLINE);
    if (prediction) outlined = paint(outlined, border(prediction.map((v) => (v ? 0 : 1)), 1, false), PREDICTION_OUTLINE);
    const x = x0 + col * (PANEL + GAP);
    layers.push({ input: await png(rgb), left: x, top: rowTop(0) });
    layers.push({ input: await png(outlined), left: x, top: rowTop(1) });
    for (const [k, s] of sources.entries()) {
      const r = s.rows.get(c.id) ?? fail(`${c.id} has no row in ${s.results}/explain/${method}/${s.model.name}.csv`);
      const heat = await raw({ path: join(s.results, r.heatmap) }, 1, 'cubic');
      layers.push({ input: await png(paint(blendHeat(rgb, heat), refOutline, REFERENCE_OUTLINE)), left: x, top: rowTop(2 + k) });
      const badge = `${pct(r.inside_reference)} inside`;
      const bw = 7.4 * badge.length + 12;
      svg.push(`<rect x='${x + 6}' y='${rowTop(2 + k) + PANEL - 28}' width='${bw}' height='22' rx='4' fill='#000' fill-opacity='0.62'/>`);
      svg.push(text(x + 12, rowTop(2 + k) + PANEL - 12, escapeXml(badge), { size: 13, weight: 'bold', fill: '#fff' }));
    }
    const cx = x + PANEL / 2;
    const diagnosis = c.labels?.diagnosis ? c.labels.diagnosis.replace(/_/g, ' ') : '';
    svg.push(text(cx, MARGIN + 13, escapeXml(c.id), { size: 13, anchor: 'middle', weight: 'bold', fill: '#222' }));
    if (diagnosis) svg.push(text(cx, MARGIN + 29, escapeXml(diagnosis), { size: 12, anchor: 'middle', fill: '#555' }));
    svg.push(text(cx, gridBottom + 20, escapeXml(`Dice ${Number(row.dice).toFixed(3)} · lesion ${Number(row.target_pixels).toLocaleString('en')} px`), { size: 12, anchor: 'middle', fill: '#444' }));
  }

  // Legend: the ramp, the outlines, then what each heat row says over the whole split.
  const footY = gridBottom + CAPTION_H;
  const rampW = 180;
  svg.push(text(x0 - 12, footY + 14, 'heat', { anchor: 'end', fill: '#555' }));
  layers.push({ input: await rampPng(rampW, 12), left: x0, top: footY + 4 });
  svg.push(text(x0, footY + 31, '0', { size: 11, fill: '#555' }));
  svg.push(text(x0 + rampW, footY + 31, "image's hottest pixel", { size: 11, anchor: 'end', fill: '#555' }));
  const swatch = (x, colour, what) => {
    svg.push(`<rect x='${x}' y='${footY + 8}' width='22' height='4' fill='rgb(${colour.join(',')})'/>`);
    svg.push(text(x + 28, footY + 14, escapeXml(what)));
  };
  swatch(x0 + rampW + 30, REFERENCE_OUTLINE, 'reference');
  swatch(x0 + rampW + 140, PREDICTION_OUTLINE, `prediction of ${main.model.name}`);
  svg.push(text(x0 + rampW + 30, footY + 31, 'badge: share of the heat inside the reference', { size: 11, fill: '#555' }));
  const dice = main.entry.summary?.dice;
  const lines = [
    `${main.model.name} in ${main.config.name}: the ${main.entry.images} images of split \`${main.report.split}\`, mean Dice ${dice?.mean?.toFixed(3) ?? '–'}. ${METHOD_NAMES[method] ?? method} of the ${main.report.target} mask;`,
    'heat inside the reference over all the images, mean [95% bootstrap CI]:',
    ...sources.map((s) => {
      const inside = s.entry.summary?.inside_reference;
      return `  ${shortLayer(s.entry.layer.name)} (${s.entry.gradient} gradients): ${pct(inside?.mean)}${inside?.ci95 ? ` [${pct(inside.ci95[0])}, ${pct(inside.ci95[1])}]` : ''}`;
    }),
  ];
  lines.forEach((line, k) => svg.push(text(x0 + (line.startsWith(' ') ? 16 : 0), footY + 56 + 16 * k, escapeXml(line.trim()), { fill: '#333' })));

  layers.push({ input: Buffer.from(`<svg xmlns='http://www.w3.org/2000/svg' width='${width}' height='${height}'>${svg.join('')}</svg>`), left: 0, top: 0 });
  await mkdir(dirname(out), { recursive: true });
  await sharp({ create: { width, height, channels: 3, background: '#ffffff' } }).composite(layers).png({ palette: true, quality: 95, effort: 10, dither: 1 }).toFile(out); // 256 dithered colours: a quarter of the bytes, no visible banding
  process.stdout.write(`${out}: ${width}×${height}; ${picked.map((r) => r.image_id).join(', ')}; heat rows from ${sources.map((s) => s.results).join(', ')}\n`);
}

main().catch((err) => fail(err instanceof Error ? err.stack ?? err.message : String(err)));
