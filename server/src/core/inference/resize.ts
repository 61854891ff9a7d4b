/**
 * Bilinear resampling of one plane with half-pixel centres, as OpenCV's INTER_LINEAR, PyTorch's
 * `interpolate(mode='bilinear', align_corners=False)` and ONNX Resize `half_pixel` do: destination
 * pixel d samples the source at (d + 0.5) · src/dst − 0.5, clamped to the first and last pixel.
 * Written on typed arrays with per-axis index/weight tables, so a 512² plane takes about a
 * millisecond.
 */

interface AxisTable {
  lo: Int32Array;
  hi: Int32Array;
  /** Weight of `hi`; `lo` gets 1 − weight. */
  weight: Float64Array;
}

function axisTable(srcLen: number, dstLen: number): AxisTable {
  const lo = new Int32Array(dstLen);
  const hi = new Int32Array(dstLen);
  const weight = new Float64Array(dstLen);
  const scale = srcLen / dstLen;
  for (let d = 0; d < dstLen; d++) {
    let s = (d + 0.5) * scale - 0.5;
    if (s < 0) s = 0;
    let i0 = Math.floor(s);
    if (i0 >= srcLen - 1) {
      i0 = srcLen - 1;
      lo[d] = i0;
      hi[d] = i0;
      weight[d] = 0;
    } else {
      lo[d] = i0;
      hi[d] = i0 + 1;
      weight[d] = s - i0;
    }
  }
  return { lo, hi, weight };
}

/**
 * Resizes a row-major plane (`srcWidth × srcHeight` values from `srcOffset`) into `dst` at
 * `dstOffset`; returns `dst`.
 */
export function resizeBilinear(
  src: ArrayLike<number>,
  srcWidth: number,
  srcHeight: number,
  dstWidth: number,
  dstHeight: number,
  dst: Float32Array = new Float32Array(dstWidth * dstHeight),
  dstOffset = 0,
  srcOffset = 0,
): Float32Array {
  if (srcWidth <= 0 || srcHeight <= 0 || dstWidth <= 0 || dstHeight <= 0) {
    throw new Error(`resizeBilinear: empty plane (${srcWidth}×${srcHeight} → ${dstWidth}×${dstHeight})`);
  }
  if (srcWidth === dstWidth && srcHeight === dstHeight) {
    for (let i = 0, n = srcWidth * srcHeight; i < n; i++) dst[dstOffset + i] = src[srcOffset + i];
    return dst;
  }
  const xs = axisTable(srcWidth, dstWidth);
  const ys = axisTable(srcHeight, dstHeight);
  const { lo: x0, hi: x1, weight: wx } = xs;
  let o = dstOffset;
  for (let y = 0; y < dstHeight; y++) {
    const row0 = srcOffset + ys.lo[y] * srcWidth;
    const row1 = srcOffset + ys.hi[y] * srcWidth;
    const wy = ys.weight[y];
    for (let x = 0; x < dstWidth; x++) {
      const a = src[row0 + x0[x]];
      const b = src[row0 + x1[x]];
      const c = src[row1 + x0[x]];
      const d = src[row1 + x1[x]];
      const top = a + (b - a) * wx[x];
      const bottom = c + (d - c) * wx[x];
      dst[o++] = top + (bottom - top) * wy;
    }
  }
  return dst;
}
