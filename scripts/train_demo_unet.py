"""Trains the demo's real model: a small timm-ResNet U-Net (the family of
test/fixtures/explain/seeded_unets.py) on the training split of the synthetic dermoscopy demo, and
exports it to ONNX for `medseg evaluate` / `medseg explain` (the README's Grad-CAM figure).

    npm run demo                              # writes demo/dermoscopy/ (images, masks, splits)
    python3 scripts/train_demo_unet.py        # prints the validation Dice per epoch

When the 2 CPU cores were briefly free an epoch took 1.6 s (60 epochs ≈ 2 min); the committed
model took 38 min on 2 cores shared with other jobs (load average 7-12).

CPU torch and timm; nothing is downloaded (random initialisation, no pretrained weights). Seeded
and deterministic on one machine (torch.manual_seed, deterministic algorithms, 2 threads, no
data-loader workers); another CPU or torch build may round differently and end elsewhere.

Data: the images listed `train` in the split file (default splits_clean.csv, which `npm run demo`
writes with `medseg split`: patients never cross splits, duplicates stay in one) are trained on;
the `val` images choose the epoch that is kept (best mean Dice); `test` images are never read.
Light augmentation: the eight flips and 90° rotations (a dermoscope has no up), brightness and
contrast ×U(0.9, 1.1) and a per-channel colour shift of ±0.03. Loss: BCE + soft Dice.

Writes into --out (default demo-assets/):
  dermoscopy-resnet-unet.onnx   input `image` [N, 3, 128, 128] (ImageNet-normalised RGB),
                                output `logits` [N, 1, 128, 128]; opset 17, TorchScript exporter,
                                dynamic batch, batch norm folded into the convolutions
  dermoscopy-resnet-unet.json   the training record: demo seed and size, the image ids trained and
                                validated on (the demo's config keeps them out of its test split),
                                Dice per epoch, onnxruntime's Dice on the validation images, the
                                ONNX file's sha256, versions
"""
import argparse
import csv
import hashlib
import json
import os
import platform
import re
import sys
import time
import warnings

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(ROOT, "test", "fixtures", "explain"))
import seeded_unets as nets  # noqa: E402

nets.define_torchvision_ops()
import timm  # noqa: E402

NAME = "dermoscopy-resnet-unet"
SIZE = 128
IMAGENET_MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
IMAGENET_STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
# The encoder of seeded_unets.py's fixture (BasicBlocks, one per stage) twice as wide, and a
# decoder to match: about 0.5 M parameters, 2 MB of ONNX.
ENCODER = dict(layers=(1, 1, 1, 1), channels=(16, 32, 64, 128))
DECODER = (64, 32, 16, 16, 8)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--demo", default=os.path.join(ROOT, "demo", "dermoscopy"), help="the demo's dermoscopy folder (default: demo/dermoscopy)")
    p.add_argument("--split-file", default="splits_clean.csv", help="split CSV in --demo (image_id,split); default splits_clean.csv")
    p.add_argument("--out", default=os.path.join(ROOT, "demo-assets"), help="folder for the ONNX model and its record (default: demo-assets)")
    p.add_argument("--epochs", type=int, default=60)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--seed", type=int, default=14)
    p.add_argument("--threads", type=int, default=2)
    return p.parse_args()


def fail(message):
    sys.exit(f"train_demo_unet.py: {message}")


def read_split(demo, split_file):
    path = os.path.join(demo, split_file)
    if not os.path.isfile(path):
        fail(f"{path} does not exist; run `npm run demo` first (it writes demo/dermoscopy/), or pass --demo and --split-file.")
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows or "image_id" not in rows[0] or "split" not in rows[0]:
        fail(f"{path} needs the columns image_id,split.")
    return {r["image_id"]: r["split"] for r in rows}


def demo_seed(demo):
    """The seed `npm run demo` wrote into the workspace README (the demo's config checks it)."""
    path = os.path.join(os.path.dirname(demo), "README.md")
    try:
        with open(path, encoding="utf-8") as f:
            m = re.search(r"\(seed (\d+)\)", f.read())
    except OSError:
        m = None
    if not m:
        fail(f"{path} does not name the demo's seed; run `npm run demo` to write the workspace again.")
    return int(m.group(1))


def load(demo, ids):
    """Images as float [n, 3, SIZE, SIZE] in 0..1 and masks as 0/1 [n, 1, SIZE, SIZE], in id order."""
    images, masks = [], []
    for i in ids:
        image_path = os.path.join(demo, "images", f"{i}.jpg")
        mask_path = os.path.join(demo, "masks", f"{i}_segmentation.png")
        image = np.asarray(Image.open(image_path).convert("RGB"), dtype=np.float32) / 255
        mask = np.asarray(Image.open(mask_path).convert("L")) >= 128
        if image.shape[:2] != (SIZE, SIZE) or mask.shape != (SIZE, SIZE):
            fail(f"{image_path} is {image.shape[1]}×{image.shape[0]} (mask {mask.shape[1]}×{mask.shape[0]}); the demo writes {SIZE}×{SIZE}. Run `npm run demo` again.")
        images.append(torch.from_numpy(image).permute(2, 0, 1))
        masks.append(torch.from_numpy(mask.astype(np.float32))[None])
    return torch.stack(images), torch.stack(masks)


def normalise(rgb01):
    return (rgb01 - IMAGENET_MEAN) / IMAGENET_STD


def augment(images, masks, g):
    """One of the eight flips/rotations per image, the same for its mask, then a mild photometric change."""
    out_i, out_m = [], []
    for x, m in zip(images, masks):
        k = int(torch.randint(4, (1,), generator=g))
        flip = bool(torch.randint(2, (1,), generator=g))
        x, m = torch.rot90(x, k, (1, 2)), torch.rot90(m, k, (1, 2))
        if flip:
            x, m = x.flip(2), m.flip(2)
        out_i.append(x)
        out_m.append(m)
    x, m = torch.stack(out_i), torch.stack(out_m)
    n = x.shape[0]
    contrast = 0.9 + 0.2 * torch.rand(n, 1, 1, 1, generator=g)
    brightness = 0.9 + 0.2 * torch.rand(n, 1, 1, 1, generator=g)
    shift = 0.06 * torch.rand(n, 3, 1, 1, generator=g) - 0.03
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    x = ((x - mean) * contrast + mean) * brightness + shift
    return x.clamp(0, 1), m


def loss_fn(logits, masks):
    bce = F.binary_cross_entropy_with_logits(logits, masks)
    p = torch.sigmoid(logits)
    inter = (p * masks).sum(dim=(1, 2, 3))
    dice = (2 * inter + 1) / (p.sum(dim=(1, 2, 3)) + masks.sum(dim=(1, 2, 3)) + 1)
    return bce + (1 - dice).mean()


def dice_per_image(pred, masks):
    """Hard Dice per image (1 when both are empty, as medseg's metrics define it)."""
    pred, masks = pred.flatten(1).bool(), masks.flatten(1).bool()
    inter = (pred & masks).sum(1).double()
    total = (pred.sum(1) + masks.sum(1)).double()
    return torch.where(total > 0, 2 * inter / total.clamp(min=1), torch.ones_like(total))


def evaluate(model, images, masks):
    model.eval()
    with torch.no_grad():
        logits = torch.cat([model(normalise(images[i : i + 16])) for i in range(0, len(images), 16)])
    return dice_per_image(logits >= 0, masks)


def onnx_dice(path, images, masks):
    """Dice of the exported file under onnxruntime (what medseg runs), and its largest logit difference from torch."""
    try:
        import onnxruntime as ort
    except ImportError:
        return None
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    logits = session.run(["logits"], {"image": normalise(images).numpy()})[0]
    return dice_per_image(torch.from_numpy(logits) >= 0, masks)


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    args = parse_args()
    torch.manual_seed(args.seed)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(args.threads)
    demo = os.path.abspath(args.demo)
    split = read_split(demo, args.split_file)
    train_ids = sorted(i for i, s in split.items() if s == "train")
    val_ids = sorted(i for i, s in split.items() if s == "val")
    if len(train_ids) < 8 or len(val_ids) < 2:
        fail(f"{os.path.join(demo, args.split_file)} has {len(train_ids)} train and {len(val_ids)} val images; at least 8 and 2 are needed.")
    seed = demo_seed(demo)
    train_x, train_y = load(demo, train_ids)
    val_x, val_y = load(demo, val_ids)

    encoder = timm.create_model("resnet18", pretrained=False, features_only=True, **ENCODER)
    model = nets.TimmResnetUnet(encoder, decoder_channels=DECODER)
    parameters = sum(p.numel() for p in model.parameters())
    steps_per_epoch = (len(train_ids) + args.batch - 1) // args.batch
    optimiser = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=args.lr, total_steps=args.epochs * steps_per_epoch, pct_start=0.15)
    g = torch.Generator().manual_seed(args.seed)
    print(f"{len(train_ids)} train / {len(val_ids)} val images of {demo} ({args.split_file}); {parameters:,} parameters; {args.epochs} epochs of {steps_per_epoch} batches; {torch.get_num_threads()} threads", flush=True)

    history, best, best_state = [], -1.0, None
    started = time.time()
    for epoch in range(1, args.epochs + 1):
        model.train()
        order = torch.randperm(len(train_ids), generator=g)
        total = 0.0
        for b in range(0, len(order), args.batch):
            idx = order[b : b + args.batch]
            x, y = augment(train_x[idx], train_y[idx], g)
            loss = loss_fn(model(normalise(x)), y)
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
            schedule.step()
            total += loss.item() * len(idx)
        dice = evaluate(model, val_x, val_y)
        row = {"epoch": epoch, "train_loss": total / len(train_ids), "val_dice_mean": float(dice.mean()), "val_dice_min": float(dice.min())}
        history.append(row)
        mark = ""
        if row["val_dice_mean"] > best:
            best, mark = row["val_dice_mean"], "  *"
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        print(f"epoch {epoch:3d}  loss {row['train_loss']:.4f}  val Dice {row['val_dice_mean']:.4f} (min {row['val_dice_min']:.4f})  {time.time() - started:6.1f} s{mark}", flush=True)

    model.load_state_dict(best_state)
    model.eval()
    kept = max(history, key=lambda r: (r["val_dice_mean"], -r["epoch"]))
    os.makedirs(args.out, exist_ok=True)
    onnx_path = os.path.join(args.out, f"{NAME}.onnx")
    example = normalise(val_x[:1])
    # The TorchScript exporter is the one users' exports (and the fixtures) come from; its deprecation notice is not news here.
    warnings.filterwarnings("ignore", message=".*legacy TorchScript-based ONNX export.*")
    torch.onnx.export(
        model,
        (example,),
        onnx_path,
        input_names=["image"],
        output_names=["logits"],
        dynamic_axes={"image": {0: "N"}, "logits": {0: "N"}},
        opset_version=17,
        dynamo=False,
    )
    ort_dice = onnx_dice(onnx_path, val_x, val_y)
    torch_dice = evaluate(model, val_x, val_y)
    record = {
        "model": f"{NAME}.onnx",
        "sha256": sha256(onnx_path),
        "bytes": os.path.getsize(onnx_path),
        "made_by": "scripts/train_demo_unet.py",
        "synthetic": "trained on the synthetic demo images of `npm run demo` only: it has never seen a real dermoscopy image",
        "architecture": f"timm resnet (BasicBlock, layers {list(ENCODER['layers'])}, channels {list(ENCODER['channels'])}, 7x7 stem 64) features_only + smp Unet decoder {list(DECODER)} + 1x1 head (test/fixtures/explain/seeded_unets.py), random initialisation",
        "parameters": parameters,
        "input": {"name": "image", "size": [SIZE, SIZE], "layout": "NCHW", "channels": 3, "normalize": "imagenet"},
        "output": {"name": "logits", "activation": "sigmoid", "threshold": 0.5},
        "demo": {"modality": "dermoscopy", "seed": seed, "images": len(split), "split_file": args.split_file},
        "train_ids": train_ids,
        "val_ids": val_ids,
        "training": {
            "seed": args.seed,
            "epochs": args.epochs,
            "batch": args.batch,
            "optimiser": f"AdamW (weight decay 1e-4), one-cycle learning rate to {args.lr}",
            "loss": "BCE with logits + soft Dice (smoothing 1)",
            "augmentation": "8 flips/90-degree rotations, brightness and contrast x U(0.9, 1.1), colour shift U(-0.03, 0.03) per channel",
            "threads": args.threads,
            "seconds": round(time.time() - started, 1),
            "kept_epoch": kept["epoch"],
        },
        "val_dice": {"torch": float(torch_dice.mean()), "onnxruntime": None if ort_dice is None else float(ort_dice.mean())},
        "history": [{k: (round(v, 5) if isinstance(v, float) else v) for k, v in r.items()} for r in history],
        "versions": {"torch": torch.__version__, "timm": timm.__version__, "python": platform.python_version(), "machine": platform.machine()},
    }
    with open(os.path.join(args.out, f"{NAME}.json"), "w", encoding="utf-8") as f:
        json.dump(record, f, indent=1)
        f.write("\n")
    ort = "onnxruntime not installed" if ort_dice is None else f"onnxruntime {float(ort_dice.mean()):.4f}"
    print(f"kept epoch {kept['epoch']}: val Dice torch {float(torch_dice.mean()):.4f}, {ort}; wrote {onnx_path} ({record['bytes'] / 1e6:.2f} MB) and {NAME}.json")


if __name__ == "__main__":
    main()
