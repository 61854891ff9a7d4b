"""Peer of bench/nsd3d.ts: DeepMind's surface-distance package itself (numpy + scipy) on the same
volumes. The package is not on PyPI: pass a checkout.

    python3 bench/nsd3d_peer.py <surface-distance checkout> <data dir> <out.json>

Times compute_surface_distances + compute_surface_dice_at_tolerance per volume and τ (the data
already in memory as bool arrays) and writes the NSD values beside the seconds, per kind of volume.
"""
import json
import os
import sys
import time
import warnings

import numpy as np

checkout, data_dir, out_path = sys.argv[1:4]
sys.path.insert(0, os.path.abspath(checkout))
warnings.filterwarnings("ignore", category=DeprecationWarning)  # scipy.ndimage.filters / morphology
import surface_distance  # noqa: E402

with open(os.path.join(data_dir, "meta.json")) as f:
    meta = json.load(f)
w, h, d = meta["size"]
spacing_zyx = tuple(reversed(meta["spacing"]))
result = {}
for kind in meta["kinds"]:
    seconds = {str(t): [] for t in meta["taus"]}
    nsd = {str(t): [] for t in meta["taus"]}
    for v in range(meta["volumes"]):
        ref = np.fromfile(os.path.join(data_dir, f"{kind}-ref-{v}.u8"), np.uint8).reshape(d, h, w).astype(bool)
        pred = np.fromfile(os.path.join(data_dir, f"{kind}-pred-{v}.u8"), np.uint8).reshape(d, h, w).astype(bool)
        for t in meta["taus"]:
            t0 = time.perf_counter()
            distances = surface_distance.compute_surface_distances(ref, pred, spacing_zyx)
            value = surface_distance.compute_surface_dice_at_tolerance(distances, t)
            seconds[str(t)].append(time.perf_counter() - t0)
            nsd[str(t)].append(float(value))
    result[kind] = {"seconds": seconds, "nsd": nsd}
with open(out_path, "w") as f:
    json.dump(result, f)
print(f"peer (surface-distance): {meta['volumes']} volumes × {len(meta['kinds'])} kinds × {len(meta['taus'])} τ done")
