"""Peer of bench/metrics.ts: the same per-image metric definitions (RESULTS.md "Metric conventions")
written the usual Python way, with numpy, scipy.ndimage and scikit-learn (as MONAI / medpy do).

    python3 bench/metrics_peer.py <data dir> <out.json> [further]

`further`: the further metrics of issue 16 instead (nsd, hd, assd, masd, boundary_iou, cldice with
scikit-image's skeletonize, mcc, npv, kappa, fbeta, volume_similarity, rvd, avd in pixels).

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


# --- the further metrics (issue 16; RESULTS.md "Further metrics and regions") ---------------------

SQUARE = np.ones((3, 3), bool)


def half_diagonal_table(row_mm, col_mm):
    """Marching-squares contour length per 2×2 corner code (8 up-left, 4 up-right, 2 down-left, 1 down-right)."""
    half = 0.5 * np.hypot(row_mm, col_mm)
    table = np.zeros(16)
    for code in range(1, 15):
        ul, ur, dl, dr = ((code >> 3) & 1, (code >> 2) & 1, (code >> 1) & 1, code & 1)
        if ul + ur + dl + dr in (1, 3):
            table[code] = half
        elif ul == ur:
            table[code] = col_mm
        elif ul == dl:
            table[code] = row_mm
        else:
            table[code] = 2 * half
    return table


def surface_dice(ref, pred, sampling, tolerance):
    """DeepMind surface-distance's way: corner codes, contour lengths, EDT between surface corners (cropped like it)."""
    if not ref.any() and not pred.any():
        return 1.0
    if not ref.any() or not pred.any():
        return 0.0
    ys, xs = np.nonzero(ref | pred)
    crop = (slice(ys.min(), ys.max() + 1), slice(xs.min(), xs.max() + 1))
    table = half_diagonal_table(*sampling)

    def elements(mask):
        m = np.pad(mask[crop].astype(np.uint8), 1)
        code = 8 * m[:-1, :-1] + 4 * m[:-1, 1:] + 2 * m[1:, :-1] + m[1:, 1:]
        return (code != 0) & (code != 15), table[code]

    sr, ar = elements(ref)
    sp, ap = elements(pred)
    d_rp = ndimage.distance_transform_edt(~sp, sampling=sampling)[sr]
    d_pr = ndimage.distance_transform_edt(~sr, sampling=sampling)[sp]
    a_r, a_p = ar[sr], ap[sp]
    return float((a_r[d_rp <= tolerance].sum() + a_p[d_pr <= tolerance].sum()) / (a_r.sum() + a_p.sum()))


def boundary_iou(ref, pred, width):
    if not ref.any() and not pred.any():
        return 1.0
    if not ref.any() or not pred.any():
        return 0.0
    band_r = ref & ~ndimage.binary_erosion(ref, structure=SQUARE, iterations=width, border_value=0)
    band_p = pred & ~ndimage.binary_erosion(pred, structure=SQUARE, iterations=width, border_value=0)
    return float(np.count_nonzero(band_r & band_p) / np.count_nonzero(band_r | band_p))


def cldice(ref, pred):
    from skimage.morphology import skeletonize

    if not ref.any() and not pred.any():
        return 1.0
    if not ref.any() or not pred.any():
        return 0.0
    s_r, s_p = skeletonize(ref), skeletonize(pred)
    if not s_r.any() or not s_p.any():
        return None
    precision = np.count_nonzero(s_p & ref) / np.count_nonzero(s_p)
    sensitivity = np.count_nonzero(s_r & pred) / np.count_nonzero(s_r)
    return 0.0 if precision + sensitivity == 0 else float(2 * precision * sensitivity / (precision + sensitivity))


def further_metrics(ref, pred, sampling, settings):
    tp = int(np.count_nonzero(ref & pred))
    fp = int(np.count_nonzero(~ref & pred))
    fn = int(np.count_nonzero(ref & ~pred))
    tn = ref.size - tp - fp - fn
    union = tp + fp + fn
    beta2 = settings["beta"] ** 2
    out = {"nsd": surface_dice(ref, pred, sampling, settings["tolerance"])}
    if not ref.any() and not pred.any():
        out.update(hd=0.0, assd=0.0, masd=0.0)
    elif not ref.any() or not pred.any():
        out.update(hd=None, assd=None, masd=None)
    else:
        br, bp = borders(ref), borders(pred)
        d_rp = ndimage.distance_transform_edt(~bp, sampling=sampling)[br]
        d_pr = ndimage.distance_transform_edt(~br, sampling=sampling)[bp]
        out.update(hd=float(max(d_rp.max(), d_pr.max())), assd=float(np.concatenate([d_rp, d_pr]).mean()), masd=float((d_rp.mean() + d_pr.mean()) / 2))
    out["boundary_iou"] = boundary_iou(ref, pred, settings["width"])
    out["cldice"] = cldice(ref, pred)
    margins = (tp + fp, tp + fn, tn + fp, tn + fn)
    out["mcc"] = None if min(margins) == 0 else (tp * tn - fp * fn) / np.sqrt(float(np.prod(margins, dtype=np.float64)))
    out["npv"] = None if tn + fn == 0 else tn / (tn + fn)
    kappa_denominator = (tp + fp) * (fp + tn) + (tp + fn) * (fn + tn)
    out["kappa"] = None if kappa_denominator == 0 else 2 * (tp * tn - fn * fp) / kappa_denominator
    out["fbeta"] = 1.0 if union == 0 else (1 + beta2) * tp / ((1 + beta2) * tp + beta2 * fn + fp)
    out["volume_similarity"] = 1.0 if union == 0 else 1 - abs(fn - fp) / (2 * tp + fp + fn)
    out["rvd"] = None if tp + fn == 0 else (fp - fn) / (tp + fn)
    out["avd"] = float(abs(fp - fn))
    return out


def main():
    data_dir, out_path = sys.argv[1], sys.argv[2]
    further = len(sys.argv) > 3 and sys.argv[3] == "further"
    with open(os.path.join(data_dir, "meta.json")) as f:
        meta = json.load(f)
    n, h, w = meta["images"], meta["height"], meta["width"]
    sampling = (meta["spacing"][1], meta["spacing"][0])  # numpy axes are [y, x]
    ref = np.fromfile(os.path.join(data_dir, "ref.u8"), dtype=np.uint8).reshape(n, h, w).astype(bool)
    pred = np.fromfile(os.path.join(data_dir, "pred.u8"), dtype=np.uint8).reshape(n, h, w).astype(bool)
    prob = (np.fromfile(os.path.join(data_dir, "prob.u16"), dtype="<u2").reshape(n, h, w) / 65535).astype(np.float32)
    if further:
        settings = {"tolerance": 1.0, "beta": 2.0, "width": max(1, int(round(0.02 * np.hypot(h, w))))}
        run = lambda k: further_metrics(ref[k], pred[k], sampling, settings)  # noqa: E731
    else:
        run = lambda k: metrics(ref[k], pred[k], prob[k], sampling)  # noqa: E731
    for k in range(min(n, 3)):  # warm-up (imports, caches)
        run(k)
    t0 = time.perf_counter()
    results = [run(k) for k in range(n)]
    seconds = time.perf_counter() - t0
    with open(out_path, "w") as f:
        json.dump({"seconds": seconds, "auroc": AUROC_NAME, "results": results}, f)


if __name__ == "__main__":
    main()
