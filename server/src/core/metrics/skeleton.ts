/**
 * 2D skeletons for clDice: scikit-image's `skeletonize` (method 'zhang'), the two-subiteration
 * thinning of Zhang & Suen ("A fast parallel algorithm for thinning digital patterns", CACM 27(3),
 * 1984) driven by scikit-image's 256-entry table, so that a skeleton here is pixel for pixel the one
 * a Python user gets. Within a subiteration every decision reads the image as it was when the
 * subiteration began; the pixels marked are removed together at its end, until nothing changes.
 * Pixels outside the image count as background.
 */
import type { Box } from './surface';

/**
 * For each 8-neighbourhood code (1 = up-left, 2 = up, 4 = up-right, 8 = right, 16 = down-right,
 * 32 = down, 64 = down-left, 128 = left): 0 = keep, 1 = removable in the first subiteration,
 * 2 = in the second, 3 = in both. The values of scikit-image's `_fast_skeletonize` table
 * (skimage/morphology/_skeletonize_various_cy.pyx, BSD-3-Clause, © the scikit-image team), which
 * includes its fix of Zhang–Suen's diagonal cases (its test_lut_fix).
 */
const REMOVAL_TABLE = Uint8Array.from(
  (
    '0001001300311013000000002020303300000000300000000000000020003022' +
    '0000000000000000000000000000000020000000200020003000000030003020' +
    '0031001300000001000000000000000131000000000000002000000000000000' +
    '2313001300000001000000000000000023010001000000003301000022002000'
  ).split(''),
  Number,
);

/**
 * The skeleton's pixels as indices into the `width`×`height` image (x fastest), ascending. Works
 * inside the mask's bounding box with a one-pixel background frame, so the cost follows the object,
 * not the image.
 */
export function skeletonPixels2d(mask: Uint8Array, width: number, height: number, within?: Box): Int32Array {
  if (mask.length !== width * height) throw new RangeError(`skeletonPixels2d: ${mask.length} pixels for a ${width}×${height} image`);
  let x0 = width;
  let x1 = -1;
  let y0 = height;
  let y1 = -1;
  if (within) {
    // a box known to hold the mask (R ∪ P's): extra background in the crop changes no skeleton
    x0 = within.x0;
    x1 = within.x0 + within.width - 1;
    y0 = within.y0;
    y1 = within.y0 + within.height - 1;
  } else {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if (mask[y * width + x] === 0) continue;
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0) return new Int32Array(0);
  const fw = x1 - x0 + 3;
  const fh = y1 - y0 + 3;
  const image = new Uint8Array(fw * fh);
  let n = 0;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      if (mask[y * width + x] === 0) continue;
      image[(y - y0 + 1) * fw + (x - x0 + 1)] = 1;
      n++;
    }
  }
  // Only pixels with a background 8-neighbour are ever looked up: an inside pixel (code 255) is
  // never removable (its table entry is 0), and it can become a border pixel only when a neighbour
  // goes, at which point it joins the list. The result is the same; the work follows the contour.
  const listed = new Uint8Array(fw * fh);
  const list = new Int32Array(n);
  let m = 0;
  for (let i = fw; i < fw * (fh - 1); i++) {
    if (image[i] === 0 || neighbourCode(image, i, fw) === 255) continue;
    listed[i] = 1;
    list[m++] = i;
  }
  const around = [-fw - 1, -fw, -fw + 1, -1, 1, fw - 1, fw, fw + 1];
  const marked = new Int32Array(n);
  let changed = true;
  while (changed) {
    changed = false;
    for (const pass of [1, 2]) {
      let r = 0;
      for (let j = 0; j < m; j++) {
        const rule = REMOVAL_TABLE[neighbourCode(image, list[j], fw)];
        if (rule === 3 || rule === pass) marked[r++] = list[j];
      }
      if (r === 0) continue;
      changed = true;
      for (let k = 0; k < r; k++) image[marked[k]] = 0;
      let kept = 0;
      for (let j = 0; j < m; j++) if (image[list[j]] !== 0) list[kept++] = list[j];
      m = kept;
      for (let k = 0; k < r; k++) {
        for (const step of around) {
          const q = marked[k] + step;
          if (image[q] !== 0 && listed[q] === 0) {
            listed[q] = 1;
            list[m++] = q;
          }
        }
      }
    }
  }
  const out: number[] = [];
  for (let fy = 1; fy < fh - 1; fy++) {
    for (let fx = 1; fx < fw - 1; fx++) if (image[fy * fw + fx] !== 0) out.push((fy - 1 + y0) * width + (fx - 1 + x0));
  }
  return Int32Array.from(out);
}

/** The skeleton as a 0/1 mask of the image's size. */
export function skeletonize2d(mask: Uint8Array, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height);
  for (const i of skeletonPixels2d(mask, width, height)) out[i] = 1;
  return out;
}

function neighbourCode(image: Uint8Array, i: number, fw: number): number {
  const up = i - fw;
  const down = i + fw;
  return (
    image[up - 1] |
    (image[up] << 1) |
    (image[up + 1] << 2) |
    (image[i + 1] << 3) |
    (image[down + 1] << 4) |
    (image[down] << 5) |
    (image[down - 1] << 6) |
    (image[i - 1] << 7)
  );
}
