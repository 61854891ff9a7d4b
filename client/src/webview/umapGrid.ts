/**
 * A uniform grid over a map's points for "which point is under the cursor": points bucketed by
 * cell (counting sort into two Int32Arrays, about two points per cell), and a lookup that scans
 * only the cells within the search radius. Built once per map: 60,000 points in a few ms.
 */
export class PointGrid {
  readonly bounds: { minX: number; maxX: number; minY: number; maxY: number };
  private readonly side: number;
  private readonly cell: number;
  private readonly start: Int32Array;
  private readonly items: Int32Array;

  constructor(
    private readonly x: Float32Array,
    private readonly y: Float32Array,
  ) {
    const n = x.length;
    let [minX, maxX, minY, maxY] = [Infinity, -Infinity, Infinity, -Infinity];
    for (let i = 0; i < n; i++) {
      if (x[i] < minX) minX = x[i];
      if (x[i] > maxX) maxX = x[i];
      if (y[i] < minY) minY = y[i];
      if (y[i] > maxY) maxY = y[i];
    }
    if (n === 0) [minX, maxX, minY, maxY] = [0, 1, 0, 1];
    this.bounds = { minX, maxX, minY, maxY };
    this.side = Math.max(1, Math.ceil(Math.sqrt(n / 2)));
    this.cell = Math.max(maxX - minX, maxY - minY, 1e-12) / this.side;
    const cells = this.side * this.side;
    const count = new Int32Array(cells + 1);
    const cellOf = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      cellOf[i] = this.cellIndex(this.column(x[i]), this.row(y[i]));
      count[cellOf[i] + 1]++;
    }
    for (let c = 0; c < cells; c++) count[c + 1] += count[c];
    this.start = Int32Array.from(count);
    this.items = new Int32Array(n);
    const fill = count.subarray(0, cells);
    for (let i = 0; i < n; i++) this.items[fill[cellOf[i]]++] = i;
  }

  /** The nearest point to (px, py) within `radius` (data units) that `accept` allows, or −1. */
  nearest(px: number, py: number, radius: number, accept: (i: number) => boolean = () => true): number {
    const c0 = Math.max(0, this.column(px - radius));
    const c1 = Math.min(this.side - 1, this.column(px + radius));
    const r0 = Math.max(0, this.row(py - radius));
    const r1 = Math.min(this.side - 1, this.row(py + radius));
    let best = -1;
    let bestD = radius * radius;
    for (let r = r0; r <= r1; r++) {
      for (let c = c0; c <= c1; c++) {
        const cell = this.cellIndex(c, r);
        for (let t = this.start[cell]; t < this.start[cell + 1]; t++) {
          const i = this.items[t];
          const dx = this.x[i] - px;
          const dy = this.y[i] - py;
          const d = dx * dx + dy * dy;
          if (d <= bestD && accept(i) && (d < bestD || best < 0 || i < best)) {
            best = i;
            bestD = d;
          }
        }
      }
    }
    return best;
  }

  private column(x: number): number {
    return Math.min(this.side - 1, Math.floor((x - this.bounds.minX) / this.cell));
  }

  private row(y: number): number {
    return Math.min(this.side - 1, Math.floor((y - this.bounds.minY) / this.cell));
  }

  private cellIndex(c: number, r: number): number {
    return r * this.side + c;
  }
}
