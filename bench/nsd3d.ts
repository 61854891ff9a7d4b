/**
 * 3D NSD (surface Dice) benchmark: KiTS-shaped 96×96×64 volume pairs, spacing 0.8 × 0.8 × 2.5 mm:
 * `kidney`, a kidney-sized blob of a few ellipsoids and a prediction that misses and adds some of it,
 * and `body`, the same at the scale of the whole volume (the bounding box is then the whole grid,
 * the worst case for the corner grid and its EDT). NSD at
 * τ = 1, 2 and 5 mm by medseg's kernel (server/src/core/metrics/surfaceDice.ts: `auto`, and each of
 * its two exact ways forced), against DeepMind's surface-distance package itself
 * (bench/nsd3d_peer.py: compute_surface_distances + compute_surface_dice_at_tolerance, numpy/scipy).
 * Checks agreement to 1e-6 on every volume and τ, prints a Markdown table with the load average.
 *
 *   git clone https://github.com/google-deepmind/surface-distance /tmp/surface-distance
 *   SURFACE_DISTANCE=/tmp/surface-distance node --import tsx bench/nsd3d.ts [volumes=10] [--no-peer]
 *
 * `volumes` pairs of each kind. Volumes (deterministic for the seed) go to bench/.data/nsd3d-<n>/ as
 * raw 0/1 bytes (x fastest).
 * Timings are per volume and τ, one thread, data already in memory; the peer's time for one τ is
 * its surface distances plus one surface Dice (it computes the distances once for every τ, so its
 * per-τ time is the same distances each time).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createRandom } from '../server/src/core/metrics';
import type { GridSize, Spacing } from '../server/src/core/metrics/distance';
import { surfaceDice } from '../server/src/core/metrics/surfaceDice';

const SIZE: GridSize = [96, 96, 64];
const SPACING: Spacing = [0.8, 0.8, 2.5];
const TAUS = [1, 2, 5];
const SEED = 20261212;
const AGREEMENT = 1e-6;
const args = process.argv.slice(2);
const volumeCount = Number(args.find((a) => /^\d+$/.test(a)) ?? 10);
const runPeer = !args.includes('--no-peer');
const dataDir = join(__dirname, '.data', `nsd3d-${volumeCount}`);
const voxels = SIZE[0] * SIZE[1] * SIZE[2];

interface Ellipsoid {
  c: [number, number, number];
  r: [number, number, number];
}

function fill(mask: Uint8Array, shapes: Ellipsoid[], value: number): void {
  const [w, h, d] = SIZE;
  for (const { c, r } of shapes) {
    for (let z = Math.max(0, Math.floor(c[2] - r[2])); z <= Math.min(d - 1, Math.ceil(c[2] + r[2])); z++) {
      for (let y = Math.max(0, Math.floor(c[1] - r[1])); y <= Math.min(h - 1, Math.ceil(c[1] + r[1])); y++) {
        for (let x = Math.max(0, Math.floor(c[0] - r[0])); x <= Math.min(w - 1, Math.ceil(c[0] + r[0])); x++) {
          const u = ((x - c[0]) / r[0]) ** 2 + ((y - c[1]) / r[1]) ** 2 + ((z - c[2]) / r[2]) ** 2;
          if (u <= 1) mask[(z * h + y) * w + x] = value;
        }
      }
    }
  }
}

const KINDS = ['kidney', 'body'] as const;

function generate(): void {
  const random = createRandom(SEED);
  const between = (lo: number, hi: number) => lo + (hi - lo) * random();
  const around = (c: [number, number, number], spread: number): [number, number, number] => [
    c[0] + between(-spread, spread),
    c[1] + between(-spread, spread),
    c[2] + between(-spread / 3, spread / 3),
  ];
  mkdirSync(dataDir, { recursive: true });
  for (const kind of KINDS) {
    // kidney: a few overlapping ellipsoids, about 40 × 40 × 16 voxels (32 × 32 × 40 mm); body: ×2.4.
    const scale = kind === 'kidney' ? 1 : 2.4;
    for (let v = 0; v < volumeCount; v++) {
      const centre: [number, number, number] = kind === 'kidney' ? [between(35, 61), between(35, 61), between(24, 40)] : [48, 48, 32];
      const blob: Ellipsoid[] = Array.from({ length: 4 }, () => ({
        c: around(centre, 8 * scale),
        r: [between(10, 18) * scale, between(10, 18) * scale, between(5, 9) * scale],
      }));
      const ref = new Uint8Array(voxels);
      fill(ref, blob, 1);
      const pred = ref.slice();
      const error = () => ({ c: around(centre, 14 * scale), r: [between(3, 8) * scale, between(3, 8) * scale, between(2, 4) * scale] as [number, number, number] });
      fill(pred, Array.from({ length: 3 }, error), 1);
      fill(pred, Array.from({ length: 3 }, error), 0);
      writeFileSync(join(dataDir, `${kind}-ref-${v}.u8`), ref);
      writeFileSync(join(dataDir, `${kind}-pred-${v}.u8`), pred);
    }
  }
  writeFileSync(join(dataDir, 'meta.json'), JSON.stringify({ size: SIZE, spacing: SPACING, taus: TAUS, volumes: volumeCount, kinds: KINDS }));
}

function median(values: number[]): number {
  const s = values.slice().sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
}

if (!existsSync(join(dataDir, 'meta.json'))) generate();
const load = (kind: string) =>
  Array.from({ length: volumeCount }, (_, v) => ({
    ref: new Uint8Array(readFileSync(join(dataDir, `${kind}-ref-${v}.u8`))),
    pred: new Uint8Array(readFileSync(join(dataDir, `${kind}-pred-${v}.u8`))),
  }));

const METHODS = ['auto', 'disc', 'edt'] as const;
// ours[kind][method][tau] = per-volume ms; values[kind][tau][volume] from `auto`
const ours: Record<string, Record<string, Record<number, number[]>>> = {};
const values: Record<string, Record<number, number[]>> = {};
for (const kind of KINDS) {
  const volumes = load(kind);
  // One untimed pass of every method and τ first, so that no row pays for the JIT's warm-up.
  for (const method of METHODS) for (const tau of TAUS) for (const { ref, pred } of volumes) surfaceDice(ref, pred, SIZE, SPACING, tau, undefined, method);
  ours[kind] = {};
  values[kind] = {};
  for (const method of METHODS) {
    ours[kind][method] = {};
    for (const tau of TAUS) {
      const times: number[] = [];
      const got: number[] = [];
      for (const { ref, pred } of volumes) {
        const t0 = performance.now();
        got.push(surfaceDice(ref, pred, SIZE, SPACING, tau, undefined, method));
        times.push(performance.now() - t0);
      }
      ours[kind][method][tau] = times;
      if (method === 'auto') values[kind][tau] = got;
      else for (let v = 0; v < volumeCount; v++) if (Math.abs(got[v] - values[kind][tau][v]) > 1e-12) throw new Error(`${kind}: ${method} and auto differ on volume ${v} at τ ${tau}`);
    }
  }
}

let peer: Record<string, { seconds: Record<string, number[]>; nsd: Record<string, number[]> }> | undefined;
let agreement = 'not checked (--no-peer or no SURFACE_DISTANCE)';
const checkout = process.env.SURFACE_DISTANCE;
if (runPeer && checkout) {
  const out = join(dataDir, 'peer.json');
  const run = spawnSync('python3', [join(__dirname, 'nsd3d_peer.py'), checkout, dataDir, out], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (run.status !== 0) throw new Error('bench/nsd3d_peer.py failed');
  const result: NonNullable<typeof peer> = JSON.parse(readFileSync(out, 'utf8'));
  peer = result;
  let worst = 0;
  for (const kind of KINDS) {
    for (const tau of TAUS) for (let v = 0; v < volumeCount; v++) worst = Math.max(worst, Math.abs(values[kind][tau][v] - result[kind].nsd[String(tau)][v]));
  }
  if (worst > AGREEMENT) throw new Error(`NSD differs from surface-distance by ${worst} (> ${AGREEMENT})`);
  agreement = `max |Δ| ${worst.toExponential(1)} (≤ ${AGREEMENT})`;
} else if (runPeer) {
  console.log('SURFACE_DISTANCE is not set: the peer (surface-distance checkout) is skipped');
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const loadAverage = loadavg().map((x) => x.toFixed(2)).join(' / ');
console.log(`\n${volumeCount} volume pairs of each kind, ${SIZE.join('×')}, spacing ${SPACING.join(' × ')} mm`);
for (const kind of KINDS) console.log(`${kind}: mean NSD ${TAUS.map((t) => `${mean(values[kind][t]).toFixed(4)} at ${t} mm`).join(', ')}`);
console.log(`agreement with surface-distance: ${agreement}; load average ${loadAverage} (1/5/15 min, shared cores)\n`);
console.log('| volumes | τ (mm) | medseg auto: median / max ms | τ-ball search ms (median) | EDT ms (median) | surface-distance ms (median) | ratio (peer / auto) |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const kind of KINDS) {
  for (const tau of TAUS) {
    const auto = ours[kind].auto[tau];
    const peerMs = peer ? median(peer[kind].seconds[String(tau)].map((s) => s * 1000)) : undefined;
    console.log(
      `| ${kind} | ${tau} | ${median(auto).toFixed(1)} / ${auto.reduce((a, b) => Math.max(a, b), 0).toFixed(1)} | ${median(ours[kind].disc[tau]).toFixed(1)} | ${median(ours[kind].edt[tau]).toFixed(1)} | ${peerMs === undefined ? '—' : peerMs.toFixed(1)} | ${peerMs === undefined ? '—' : `${(peerMs / median(auto)).toFixed(1)}×`} |`,
    );
  }
}
