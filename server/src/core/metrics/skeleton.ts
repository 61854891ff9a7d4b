/**
 * 2D skeletons for clDice: scikit-image's `skeletonize` (method 'zhang'), the two-subiteration
 * thinning of Zhang & Suen ("A fast parallel algorithm for thinning digital patterns", CACM 27(3),
 * 1984) driven by scikit-image's 256-entry table, so that a skeleton here is pixel for pixel the one
 * a Python user gets. Within a subiteration every decision reads the image as it was when the
 * subiteration began; the pixels marked are removed together at its end, until nothing changes.
 * Pixels outside the image count as background.
 */

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
export function skeletonPixels2d(mask: Uint8Array, width: number, height: number): Int32Array {
  if (mask.length !== width * height) throw new RangeError(`skeletonPixels2d: ${mask.length} pixels for a ${width}×${height} image`);
  let x0 = width;
  let x1 = -1;
  let y0 = height;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (mask[y * width + x] === 0) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  if (x1 < 0) return new Int32Array(0);
  const fw = x1 - x0 + 3;
  const fh = y1 - y0 + 3;
  const image = new Uint8Array(fw * fh);
  let live = new Int32Array((x1 - x0 + 1) * (y1 - y0 + 1));
  let n = 0;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      if (mask[y * width + x] === 0) continue;
      const i = (y - y0 + 1) * fw + (x - x0 + 1);
      image[i] = 1;
      live[n++] = i;
    }
  }
  const marked = new Int32Array(n);
  let changed = true;
  while (changed) {
    changed = false;
    for (const pass of [1, 2]) {
      let m = 0;
      for (let j = 0; j < n; j++) {
        const rule = REMOVAL_TABLE[neighbourCode(image, live[j], fw)];
        if (rule === 3 || rule === pass) marked[m++] = j;
      }
      if (m === 0) continue;
      changed = true;
      for (let k = 0; k < m; k++) image[live[marked[k]]] = 0;
      let kept = 0;
      for (let j = 0; j < n; j++) if (image[live[j]] !== 0) live[kept++] = live[j];
      n = kept;
    }
  }
  live = live.subarray(0, n).sort();
  const out = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    const fx = live[j] % fw;
    const fy = (live[j] - fx) / fw;
    out[j] = (fy - 1 + y0) * width + (fx - 1 + x0);
  }
  return out;
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
