"""The evaluation a user would write instead of medseg: onnxruntime + Pillow + numpy/scipy.

Same model, images and metric definitions (RESULTS.md): per image decode, ImageNet
normalisation, session.run, sigmoid, threshold 0.5, dice/iou/sensitivity/specificity/precision,
pixel AUROC (rank formula, ties half) and HD95 (border pixels, scipy EDT, numpy percentile),
then the binary mask written as PNG. Prints SECONDS <wall time of the loop>.

    python3 bench/evaluate_peer.py <dataset dir> <model.onnx> <threads>
"""
import os
import sys
import time

import numpy as np
import onnxruntime as ort
from PIL import Image
from scipy import ndimage, stats

root, model_path, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
options = ort.SessionOptions()
options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
options.intra_op_num_threads = threads
session = ort.InferenceSession(model_path, options, providers=["CPUExecutionProvider"])
mean = np.array([0.485, 0.456, 0.406], np.float32).reshape(3, 1, 1)
std = np.array([0.229, 0.224, 0.225], np.float32).reshape(3, 1, 1)
out_dir = os.path.join(root, "peer-masks")
os.makedirs(out_dir, exist_ok=True)


def borders(m):
    p = np.pad(m, 1, constant_values=False)
    return m & ~(p[1:-1, 1:-1] & p[:-2, 1:-1] & p[2:, 1:-1] & p[1:-1, :-2] & p[1:-1, 2:])


def hd95(r, p):
    br, bp = borders(r), borders(p)
    if not br.any() and not bp.any():
        return 0.0
    if not br.any() or not bp.any():
        return None
    return max(np.percentile(ndimage.distance_transform_edt(~bp)[br], 95), np.percentile(ndimage.distance_transform_edt(~br)[bp], 95))


def auroc(r, prob):
    q = np.round(prob * 65535)
    pos, neg = q[r], q[~r]
    if len(pos) == 0 or len(neg) == 0:
        return None
    ranks = stats.rankdata(np.concatenate([pos, neg]))
    return (ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg))


ids = sorted(f[:-4] for f in os.listdir(os.path.join(root, "images")) if f.endswith(".png"))
rows = []
start = time.perf_counter()
for i in ids:
    image = np.asarray(Image.open(os.path.join(root, "images", i + ".png")).convert("RGB"), np.float32) / 255
    x = ((image.transpose(2, 0, 1) - mean) / std)[None]
    logits = session.run(None, {"image": x})[0][0, 0]
    prob = 1 / (1 + np.exp(-logits))
    pred = prob >= 0.5
    ref = np.asarray(Image.open(os.path.join(root, "masks", i + ".png"))) > 0
    tp = np.sum(ref & pred); fp = np.sum(~ref & pred); fn = np.sum(ref & ~pred); tn = np.sum(~ref & ~pred)
    rows.append((2 * tp / max(2 * tp + fp + fn, 1), tp / max(tp + fp + fn, 1), tp / max(tp + fn, 1), tn / max(tn + fp, 1),
                 tp / max(tp + fp, 1), auroc(ref, prob), hd95(ref, pred)))
    Image.fromarray((pred * 255).astype(np.uint8)).save(os.path.join(out_dir, i + ".png"))
seconds = time.perf_counter() - start
print(f"SECONDS {seconds}")
print(f"mean dice {np.mean([r[0] for r in rows]):.4f}")
