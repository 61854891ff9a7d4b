"""Peer of bench/metrics.ts: the same per-image metric definitions (RESULTS.md "Metric conventions")
written the usual Python way, with numpy, scipy.ndimage and scikit-learn (as MONAI / medpy do).

    python3 bench/metrics_peer.py <data dir> <out.json>

Reads ref.u8, pred.u8, prob.u16 and meta.json written by bench/metrics.ts; times the metrics only
(not file reading, not the 16-bit → float32 conversion) and writes per-image values (null = undefined).
"""
import json
import os
import sys
import time

import numpy as np
from scipy import ndimage
from scipy.stats import rankdata

def rank_auroc(labels, scores):
    """Mann-Whitney U from average ranks (ties get the mean rank, so they count half)."""
    ranks = rankdata(scores)
    n_pos = int(np.count_nonzero(labels))
    n_neg = labels.size - n_pos
    return (ranks[labels].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


# sklearn by default (what most evaluation code calls); PEER_AUROC=rank for the rank formula.
try:
    if os.environ.get("PEER_AUROC") == "rank":
        raise ImportError
    from sklearn.metrics import roc_auc_score

    AUROC_NAME = "sklearn.roc_auc_score"
except ImportError:
    roc_auc_score = rank_auroc
    AUROC_NAME = "scipy.stats.rankdata"


STRUCTURE = ndimage.generate_binary_structure(2, 1)  # 4-neighbourhood


def borders(mask):
    # border_value=0: pixels on the image edge count as border pixels
    return mask & ~ndimage.binary_erosion(mask, structure=STRUCTURE, border_value=0)


def hd95(ref, pred, sampling):
    if not ref.any() and not pred.any():
        return 0.0
    if not ref.any() or not pred.any():
        return None
    br, bp = borders(ref), borders(pred)
    d_rp = ndimage.distance_transform_edt(~bp, sampling=sampling)[br]
    d_pr = ndimage.distance_transform_edt(~br, sampling=sampling)[bp]
    return float(max(np.percentile(d_rp, 95), np.percentile(d_pr, 95)))


def metrics(ref, pred, prob, sampling):
    tp = int(np.count_nonzero(ref & pred))
    fp = int(np.count_nonzero(~ref & pred))
    fn = int(np.count_nonzero(ref & ~pred))
    tn = ref.size - tp - fp - fn
    union = tp + fp + fn
    positives = tp + fn
    return {
        "dice": 1.0 if union == 0 else 2 * tp / (2 * tp + fp + fn),
        "iou": 1.0 if union == 0 else tp / union,
        "sensitivity": None if positives == 0 else tp / positives,
        "specificity": None if tn + fp == 0 else tn / (tn + fp),
        "precision": None if tp + fp == 0 else tp / (tp + fp),
        "auroc": None if positives in (0, ref.size) else float(roc_auc_score(ref.ravel(), prob.ravel())),
        "hd95": hd95(ref, pred, sampling),
    }


def main():
    data_dir, out_path = sys.argv[1], sys.argv[2]
    with open(os.path.join(data_dir, "meta.json")) as f:
        meta = json.load(f)
    n, h, w = meta["images"], meta["height"], meta["width"]
    sampling = (meta["spacing"][1], meta["spacing"][0])  # numpy axes are [y, x]
    ref = np.fromfile(os.path.join(data_dir, "ref.u8"), dtype=np.uint8).reshape(n, h, w).astype(bool)
    pred = np.fromfile(os.path.join(data_dir, "pred.u8"), dtype=np.uint8).reshape(n, h, w).astype(bool)
    prob = (np.fromfile(os.path.join(data_dir, "prob.u16"), dtype="<u2").reshape(n, h, w) / 65535).astype(np.float32)
    for k in range(min(n, 3)):  # warm-up (imports, caches)
        metrics(ref[k], pred[k], prob[k], sampling)
    t0 = time.perf_counter()
    results = [metrics(ref[k], pred[k], prob[k], sampling) for k in range(n)]
    seconds = time.perf_counter() - t0
    with open(out_path, "w") as f:
        json.dump({"seconds": seconds, "auroc": AUROC_NAME, "results": results}, f)


if __name__ == "__main__":
    main()
