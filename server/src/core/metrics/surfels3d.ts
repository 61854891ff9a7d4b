/**
 * Surface elements ("surfels") of a 3D mask as DeepMind's surface-distance defines them: they live
 * on the grid of voxel corners; each corner sees the 2×2×2 voxels around it, and the 8 in/out bits
 * (the corner's code) select the marching-cubes triangles inside that cell. A surfel's weight is
 * the area of its triangles in mm², with the spacing applied to the triangles' vertices, so that
 * anisotropic voxels weigh each element by its true area.
 *
 * The triangles are derived here at module load, not copied from a published table:
 * - a cell with more than 4 voxels in is triangulated as its complement (the classic table,
 *   Lorensen & Cline 1987, treats a configuration and its complement alike);
 * - on each cell face, marching squares joins the midpoints of the edges whose ends differ; a face
 *   with two diagonal corners in (the ambiguous face) cuts each inside corner off on its own;
 * - the segments of the six faces close into loops (each cube edge borders two faces); a loop of
 *   n > 3 vertices is not planar in general, and the classic table splits each loop into the
 *   triangles of largest total area on the unit cube (no two triangulations tie there unless their
 *   areas agree at every spacing).
 * test/core/metrics/surfels3d.test.ts checks the 256 areas against surface-distance's own table at
 * several anisotropic spacings (test/fixtures/metrics/make_surface_dice_3d.py).
 */
import type { Box } from './surface';
import type { Spacing } from './distance';

/**
 * Code bit of the voxel at offset (dx, dy, dz) ∈ {0, 1}³ from the cell's lowest voxel: the voxel
 * (cx − 1 + dx, cy − 1 + dy, cz − 1 + dz) of corner (cx, cy, cz).
 */
export const voxelBit = (dx: number, dy: number, dz: number): number => 1 << (dx + 2 * dy + 4 * dz);

/** Cube corners (by bit index) of each face, in cyclic order around the face. */
const FACES: readonly (readonly number[])[] = (() => {
  const faces: number[][] = [];
  for (let axis = 0; axis < 3; axis++) {
    const [u, v] = [0, 1, 2].filter((a) => a !== axis);
    for (const side of [0, 1]) {
      faces.push(
        [[0, 0], [1, 0], [1, 1], [0, 1]].map(([a, b]) => {
          const offset = [0, 0, 0];
          offset[axis] = side;
          offset[u] = a;
          offset[v] = b;
          return offset[0] + 2 * offset[1] + 4 * offset[2];
        }),
      );
    }
  }
  return faces;
})();

/** A cube edge by its two corner bit indices (smaller first): key = 8·a + b. */
const edgeKey = (a: number, b: number): number => (a < b ? 8 * a + b : 8 * b + a);

/** Twice the coordinates of an edge's midpoint (integers 0..2), x, y, z. */
function midpoint2(key: number): [number, number, number] {
  const a = key >> 3;
  const b = key & 7;
  return [(a & 1) + (b & 1), ((a >> 1) & 1) + ((b >> 1) & 1), ((a >> 2) & 1) + ((b >> 2) & 1)];
}

function popcount(code: number): number {
  let n = 0;
  for (let c = code; c !== 0; c &= c - 1) n++;
  return n;
}

/** The segments (pairs of edge keys) that marching squares draws on the six faces. */
function faceSegments(inside: number): [number, number][] {
  const segments: [number, number][] = [];
  for (const face of FACES) {
    const isIn = face.map((corner) => (inside >> corner) & 1);
    const crossed: number[] = [];
    for (let k = 0; k < 4; k++) if (isIn[k] !== isIn[(k + 1) % 4]) crossed.push(edgeKey(face[k], face[(k + 1) % 4]));
    if (crossed.length === 2) {
      segments.push([crossed[0], crossed[1]]);
    } else if (crossed.length === 4) {
      for (let k = 0; k < 4; k++) {
        if (isIn[k]) segments.push([edgeKey(face[(k + 3) % 4], face[k]), edgeKey(face[k], face[(k + 1) % 4])]);
      }
    }
  }
  return segments;
}

/** Chains the segments into closed loops of edge keys. */
function closeLoops(segments: readonly [number, number][]): number[][] {
  const neighbours = new Map<number, number[]>();
  for (const [a, b] of segments) {
    if (!neighbours.has(a)) neighbours.set(a, []);
    if (!neighbours.has(b)) neighbours.set(b, []);
    neighbours.get(a)!.push(b);
    neighbours.get(b)!.push(a);
  }
  const seen = new Set<number>();
  const loops: number[][] = [];
  for (const start of neighbours.keys()) {
    if (seen.has(start)) continue;
    const loop = [start];
    seen.add(start);
    let current = start;
    for (;;) {
      const next = neighbours.get(current)!.find((n) => !seen.has(n));
      if (next === undefined) break;
      loop.push(next);
      seen.add(next);
      current = next;
    }
    loops.push(loop);
  }
  return loops;
}

/** Every triangulation of the convex polygon 0..n−1, as triples of vertex indices. */
function triangulations(first: number, last: number): [number, number, number][][] {
  if (last - first < 2) return [[]];
  const out: [number, number, number][][] = [];
  for (let k = first + 1; k < last; k++) {
    for (const left of triangulations(first, k)) {
      for (const right of triangulations(k, last)) out.push([...left, ...right, [first, k, last]]);
    }
  }
  return out;
}

type Point = readonly [number, number, number];

function triangleArea(a: Point, b: Point, c: Point, sx: number, sy: number, sz: number): number {
  const ux = (b[0] - a[0]) * sx;
  const uy = (b[1] - a[1]) * sy;
  const uz = (b[2] - a[2]) * sz;
  const vx = (c[0] - a[0]) * sx;
  const vy = (c[1] - a[1]) * sy;
  const vz = (c[2] - a[2]) * sz;
  return 0.5 * Math.hypot(uy * vz - uz * vy, uz * vx - ux * vz, ux * vy - uy * vx);
}

/** The triangles of one cell code, each as three vertices in half-voxel units. */
function cellTriangles(code: number): Point[][] {
  const inside = popcount(code) > 4 ? ~code & 0xff : code;
  const triangles: Point[][] = [];
  for (const loop of closeLoops(faceSegments(inside))) {
    const points = loop.map(midpoint2);
    let best: [number, number, number][] = [];
    let bestArea = -1;
    for (const candidate of triangulations(0, points.length - 1)) {
      let area = 0;
      for (const [a, b, c] of candidate) area += triangleArea(points[a], points[b], points[c], 0.5, 0.5, 0.5);
      // Strictly larger by more than rounding: the first of tied triangulations is kept.
      if (area > bestArea + 1e-12) {
        best = candidate;
        bestArea = area;
      }
    }
    for (const [a, b, c] of best) triangles.push([points[a], points[b], points[c]]);
  }
  return triangles;
}

/** The marching-cubes triangles of all 256 codes (empty for 0 and 255), derived once. */
export const SURFEL_TRIANGLES: readonly (readonly Point[][])[] = Array.from({ length: 256 }, (_, code) => cellTriangles(code));

let cachedSpacing: Spacing | undefined;
let cachedAreas = new Float64Array(256);

/** Surfel area (in spacing units²) of every code at this voxel spacing [x, y, z]. */
export function surfelAreas(spacing: Spacing): Float64Array {
  if (cachedSpacing && cachedSpacing[0] === spacing[0] && cachedSpacing[1] === spacing[1] && cachedSpacing[2] === spacing[2]) {
    return cachedAreas;
  }
  // Vertices are in half-voxel units.
  const [hx, hy, hz] = [spacing[0] / 2, spacing[1] / 2, spacing[2] / 2];
  const areas = new Float64Array(256);
  for (let code = 0; code < 256; code++) {
    let sum = 0;
    for (const [a, b, c] of SURFEL_TRIANGLES[code]) sum += triangleArea(a, b, c, hx, hy, hz);
    areas[code] = sum;
  }
  cachedSpacing = [spacing[0], spacing[1], spacing[2]];
  cachedAreas = areas;
  return areas;
}

/**
 * Writes every corner's 8-bit code over the crop `box` (a (w+1)×(h+1)×(d+1) corner grid, corner
 * (cx, cy, cz) at the low corner of crop voxel (cx, cy, cz)), marks the surface corners (code
 * neither 0 nor 255) and lists them; returns how many there are. The crop is the bounding box of
 * R ∪ P, so every voxel outside it is background. `planes` holds two corner planes of 4-bit codes.
 */
export function cornerCodes3d(
  mask: Uint8Array,
  width: number,
  height: number,
  box: Box,
  codes: Uint8Array,
  surface: Uint8Array,
  list: Int32Array,
  planes: Uint8Array,
): number {
  const cw = box.width + 1;
  const ch = box.height + 1;
  const cd = box.depth + 1;
  const planeCorners = cw * ch;
  // Each corner plane's code is the 4-bit code of the voxel plane below it (dz = 0) joined with
  // that of the voxel plane above it (dz = 1, shifted by 4): one pass per voxel plane.
  let below = 0;
  let above = planeCorners;
  planes.fill(0, below, below + planeCorners);
  let n = 0;
  for (let cz = 0; cz < cd; cz++) {
    if (cz < box.depth) planeCodes(mask, width, height, box, box.z0 + cz, planes, above);
    else planes.fill(0, above, above + planeCorners);
    const offset = cz * planeCorners;
    for (let j = 0; j < planeCorners; j++) {
      const code = planes[below + j] | (planes[above + j] << 4);
      const i = offset + j;
      codes[i] = code;
      const onSurface = code !== 0 && code !== 0xff;
      surface[i] = onSurface ? 1 : 0;
      if (onSurface) list[n++] = i;
    }
    [below, above] = [above, below];
  }
  return n;
}

/** The 4-bit codes (bit dx + 2·dy) of voxel plane z at every corner of the crop, from `at`. */
function planeCodes(mask: Uint8Array, width: number, height: number, box: Box, z: number, out: Uint8Array, at: number): void {
  const cw = box.width + 1;
  const ch = box.height + 1;
  const plane = z * width * height;
  for (let cy = 0; cy < ch; cy++) {
    const lowRow = cy > 0 ? plane + (box.y0 + cy - 1) * width + box.x0 : -1;
    const highRow = cy < box.height ? plane + (box.y0 + cy) * width + box.x0 : -1;
    const row = at + cy * cw;
    for (let cx = 0; cx < cw; cx++) {
      const left = cx > 0;
      const right = cx < box.width;
      let code = 0;
      if (lowRow >= 0) {
        if (left && mask[lowRow + cx - 1] !== 0) code |= 1;
        if (right && mask[lowRow + cx] !== 0) code |= 2;
      }
      if (highRow >= 0) {
        if (left && mask[highRow + cx - 1] !== 0) code |= 4;
        if (right && mask[highRow + cx] !== 0) code |= 8;
      }
      out[row + cx] = code;
    }
  }
}
