/**
 * 3D skeletons for clDice: the thinning of Lee, Kashyap & Chu ("Building skeleton models via 3-D
 * medial surface/axis thinning algorithms", CVGIP 56(6), 1994), in the sweep order scikit-image's
 * `skeletonize` (method 'lee') uses, so that a skeleton here is voxel for voxel a Python user's.
 *
 * Each round visits the six border directions (y−, y+, x+, x−, z+, z−). For a direction, every
 * foreground voxel whose neighbour that way is background is a candidate when it is not an end
 * point (exactly one 26-neighbour), removing it keeps the Euler characteristic (26-connectivity),
 * and it is simple (its foreground 26-neighbours form one 26-connected set). The candidates, in
 * scan order (x fastest, then y, then z), are then removed one by one while they are still simple.
 * Rounds repeat until one changes nothing. Voxels outside the volume are background.
 *
 * The Euler change is computed, not looked up: the object is the union of its closed voxel cubes,
 * whose Euler characteristic V − E + F − C is a sum over the 2×2×2 blocks around each grid vertex;
 * removing a voxel changes only the eight blocks (octants) it belongs to.
 */
import { unionBox } from './surface';

/** Offsets of the 26 neighbours and the centre, index (dz+1)·9 + (dy+1)·3 + (dx+1); the centre is 13. */
const CENTRE = 13;

/** For each of the 27 positions, the others within Chebyshev distance 1 (26-adjacent), centre excluded. */
const ADJACENT: number[][] = (() => {
  const out: number[][] = [];
  for (let a = 0; a < 27; a++) {
    const list: number[] = [];
    for (let b = 0; b < 27; b++) {
      if (a === b || a === CENTRE || b === CENTRE) continue;
      const near = Math.abs((a % 3) - (b % 3)) <= 1 && Math.abs(Math.floor(a / 3) % 3 - (Math.floor(b / 3) % 3)) <= 1 && Math.abs(Math.floor(a / 9) - Math.floor(b / 9)) <= 1;
      if (near) list.push(b);
    }
    out.push(list);
  }
  return out;
})();

/**
 * 8 × (the block's share of V − E + F − C) for each of the 256 fillings of a 2×2×2 block (bit
 * i + 2j + 4k for the voxel at x-side i, y-side j, z-side k of the block's centre vertex). A cell
 * with c corners is shared by c blocks: the vertex counts 8/1, each of the 6 edges from it 8/2,
 * each of the 12 faces at it 8/4, each of the 8 cubes 8/8, when the union of the cubes holds it.
 */
const BLOCK_EULER8: Int8Array = (() => {
  const table = new Int8Array(256);
  const at = (code: number, i: number, j: number, k: number) => (code >> (i + 2 * j + 4 * k)) & 1;
  for (let code = 0; code < 256; code++) {
    let vertex = 0;
    let edges = 0;
    let faces = 0;
    let cubes = 0;
    for (let v = 0; v < 8; v++) cubes += (code >> v) & 1;
    vertex = cubes > 0 ? 1 : 0;
    for (let side = 0; side < 2; side++) {
      // an edge from the vertex along an axis touches the 4 voxels on that side of the axis
      let x = 0;
      let y = 0;
      let z = 0;
      for (let a = 0; a < 2; a++) {
        for (let b = 0; b < 2; b++) {
          x |= at(code, side, a, b);
          y |= at(code, a, side, b);
          z |= at(code, a, b, side);
        }
      }
      edges += x + y + z;
    }
    for (let a = 0; a < 2; a++) {
      for (let b = 0; b < 2; b++) {
        // a face at the vertex lies between the two voxels it separates along its normal
        faces += at(code, 0, a, b) | at(code, 1, a, b);
        faces += at(code, a, 0, b) | at(code, a, 1, b);
        faces += at(code, a, b, 0) | at(code, a, b, 1);
      }
    }
    table[code] = 8 * vertex - 4 * edges + 2 * faces - cubes;
  }
  return table;
})();

/** The 8 octants: the 27-neighbourhood positions of each 2×2×2 block holding the centre, in block bit order. */
const OCTANTS: Int32Array[] = (() => {
  const out: Int32Array[] = [];
  for (let oz = 0; oz < 2; oz++) {
    for (let oy = 0; oy < 2; oy++) {
      for (let ox = 0; ox < 2; ox++) {
        const positions = new Int32Array(8);
        for (let k = 0; k < 2; k++) for (let j = 0; j < 2; j++) for (let i = 0; i < 2; i++) positions[i + 2 * j + 4 * k] = (oz + k) * 9 + (oy + j) * 3 + (ox + i);
        out.push(positions);
      }
    }
  }
  return out;
})();

/** Border directions in scikit-image's order: y−, y+, x+, x−, z+, z− as (dx, dy, dz). */
const BORDERS: readonly [number, number, number][] = [
  [0, -1, 0],
  [0, 1, 0],
  [1, 0, 0],
  [-1, 0, 0],
  [0, 0, 1],
  [0, 0, -1],
];

/**
 * The skeleton's voxels as indices into the `width`×`height`×`depth` volume (x fastest), ascending.
 * Works inside the mask's bounding box with a one-voxel background frame.
 */
export function skeletonVoxels3d(mask: Uint8Array, width: number, height: number, depth: number): Int32Array {
  if (mask.length !== width * height * depth) throw new RangeError(`skeletonVoxels3d: ${mask.length} voxels for a ${width}×${height}×${depth} volume`);
  const { refAny, box: b } = unionBox(mask, mask, width, height, depth);
  if (!refAny) return new Int32Array(0);
  const box = { x0: b.x0, x1: b.x0 + b.width - 1, y0: b.y0, y1: b.y0 + b.height - 1, z0: b.z0, z1: b.z0 + b.depth - 1 };
  const fw = box.x1 - box.x0 + 3;
  const fh = box.y1 - box.y0 + 3;
  const fd = box.z1 - box.z0 + 3;
  const plane = fw * fh;
  const image = new Uint8Array(plane * fd);
  for (let z = box.z0; z <= box.z1; z++) {
    for (let y = box.y0; y <= box.y1; y++) {
      for (let x = box.x0; x <= box.x1; x++) {
        if (mask[(z * height + y) * width + x] !== 0) image[(z - box.z0 + 1) * plane + (y - box.y0 + 1) * fw + (x - box.x0 + 1)] = 1;
      }
    }
  }
  const offsets = new Int32Array(27);
  for (let dz = -1; dz <= 1; dz++) for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) offsets[(dz + 1) * 9 + (dy + 1) * 3 + (dx + 1)] = dz * plane + dy * fw + dx;
  // A volume of one slice has only the four in-plane directions (scikit-image's 2D case).
  const borders = depth > 1 ? BORDERS : BORDERS.slice(0, 4);
  const neighbourhood = new Uint8Array(27);
  const candidates: number[] = [];
  let unchanged = 0;
  while (unchanged < borders.length) {
    unchanged = 0;
    for (const [dx, dy, dz] of borders) {
      const step = dz * plane + dy * fw + dx;
      candidates.length = 0;
      for (let z = 1; z < fd - 1; z++) {
        for (let y = 1; y < fh - 1; y++) {
          for (let x = 1; x < fw - 1; x++) {
            const i = z * plane + y * fw + x;
            if (image[i] !== 1 || image[i + step] !== 0) continue;
            gather(image, i, offsets, neighbourhood);
            if (isEndPoint(neighbourhood) || !isEulerInvariant(neighbourhood) || !isSimple(neighbourhood)) continue;
            candidates.push(i);
          }
        }
      }
      let changed = false;
      for (const i of candidates) {
        gather(image, i, offsets, neighbourhood);
        if (isSimple(neighbourhood)) {
          image[i] = 0;
          changed = true;
        }
      }
      if (!changed) unchanged++;
    }
  }
  const out: number[] = [];
  for (let z = 1; z < fd - 1; z++) {
    for (let y = 1; y < fh - 1; y++) {
      for (let x = 1; x < fw - 1; x++) {
        if (image[z * plane + y * fw + x] !== 0) out.push((z - 1 + box.z0) * width * height + (y - 1 + box.y0) * width + (x - 1 + box.x0));
      }
    }
  }
  return Int32Array.from(out);
}

/** The skeleton as a 0/1 mask of the volume's size. */
export function skeletonize3d(mask: Uint8Array, width: number, height: number, depth: number): Uint8Array {
  const out = new Uint8Array(width * height * depth);
  for (const i of skeletonVoxels3d(mask, width, height, depth)) out[i] = 1;
  return out;
}

function gather(image: Uint8Array, i: number, offsets: Int32Array, into: Uint8Array): void {
  for (let k = 0; k < 27; k++) into[k] = image[i + offsets[k]];
}

function isEndPoint(n: Uint8Array): boolean {
  let count = 0;
  for (let k = 0; k < 27; k++) count += n[k];
  return count === 2;
}

function isEulerInvariant(n: Uint8Array): boolean {
  let change = 0;
  for (const octant of OCTANTS) {
    let code = 0;
    for (let b = 0; b < 8; b++) if (n[octant[b]] !== 0) code |= 1 << b;
    let centreBit = 0;
    for (let b = 0; b < 8; b++) if (octant[b] === CENTRE) centreBit = 1 << b;
    change += BLOCK_EULER8[code | centreBit] - BLOCK_EULER8[code & ~centreBit];
  }
  return change === 0;
}

/** Whether the foreground 26-neighbours (centre left out) form at most one 26-connected set. */
function isSimple(n: Uint8Array): boolean {
  const seen = new Uint8Array(27);
  const stack: number[] = [];
  let components = 0;
  for (let start = 0; start < 27; start++) {
    if (start === CENTRE || n[start] === 0 || seen[start]) continue;
    if (++components > 1) return false;
    seen[start] = 1;
    stack.push(start);
    while (stack.length > 0) {
      const a = stack.pop()!;
      for (const b of ADJACENT[a]) {
        if (n[b] !== 0 && !seen[b]) {
          seen[b] = 1;
          stack.push(b);
        }
      }
    }
  }
  return true;
}
