#!/usr/bin/env python3
"""clip-run train's validation against numpy, on Flickr30k-style data.

Made data: 40 training images and 12 validation images, 5 captions each,
one CSV row a caption. `clip-run train --val-csv ... --val-every 2` for 4
steps of batch 8 with --metrics and --plot; then the final checkpoint's
embeddings (clip-run embed) and logit_scale give the reference in float64:
the validation loss (CLIP's loss of consecutive batches of 8 image/first-
caption pairs, averaged) and the retrieval recalls (the Flickr30k/COCO
protocol over all 60 captions). Checks: the step-4 record of the metrics
equals the reference (loss 1e-5 relative; recalls within one ranking flip);
validations ran at steps 2 and 4; the plot has a labelled panel for the
validation loss and mean recall with a marker per point and step ticks;
--val-split holds out exactly the samples whose splitmix64 hash falls below
the fraction (reimplemented here), the same on every run.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
from PIL import Image
from safetensors.numpy import load_file

from support import Checks, run

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORDS = ["red", "green", "blue", "small", "large", "striped", "dotted", "bright", "dark",
         "round", "square", "wooden", "metal", "soft", "shiny"]


def splitmix(z):
    m = (1 << 64) - 1
    z = (z + 0x9E3779B97F4A7C15) & m
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & m
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & m
    return z ^ (z >> 31)


def make_csv(work, name, count, rng):
    paths, captions = [], []
    for i in range(count):
        path = os.path.join(work, f"{name}{i:03}.png")
        Image.fromarray(rng.integers(0, 255, (36, 32 + i % 7, 3), dtype=np.uint8)).save(path)
        paths.append(path)
        captions.append([f"a {' '.join(rng.choice(WORDS, 3, replace=False))} {name} {i}.{c}"
                         for c in range(5)])
    csv = os.path.join(work, f"{name}.csv")
    with open(csv, "w") as f:
        f.write("filepath\ttitle\n")
        for c in range(5):  # one row a caption, images interleaved
            for i in range(count):
                f.write(f"{os.path.basename(paths[i])}\t{captions[i][c]}\n")
    return csv, paths, captions


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    args = parser.parse_args()
    clip_run = os.path.join(args.build, "bin/clip-run")
    rng = np.random.default_rng(4)
    check = Checks()

    with tempfile.TemporaryDirectory(prefix="clip-validation-") as work:
        lib = os.path.join(work, "m.so")
        run([os.path.join(args.build, "bin/clipc"), os.path.join(ROOT, "models/clip/vit_tiny.mlir"),
             "--batch", "8", "-o", lib])
        train_csv, _, _ = make_csv(work, "train", 40, rng)
        val_csv, val_paths, val_captions = make_csv(work, "val", 12, rng)
        metrics, plot = os.path.join(work, "m.jsonl"), os.path.join(work, "m.svg")
        ckpt = os.path.join(work, "ckpt.safetensors")
        out = run([clip_run, "train", lib, "--csv", train_csv, "--val-csv", val_csv,
                   "--val-every", "2", "--steps", "4", "--lr", "1e-3", "--checkpoint", ckpt,
                   "--metrics", metrics, "--plot", plot])
        records = [json.loads(l) for l in open(metrics) if '"val"' in l]
        check([r["step"] for r in records] == [2, 4],
              f"validations at steps {[r['step'] for r in records]} (expected 2, 4)")

        # The reference from the final parameters.
        listing, texts = os.path.join(work, "images.txt"), os.path.join(work, "texts.txt")
        open(listing, "w").write("\n".join(val_paths) + "\n")
        flat = [c for caps in val_captions for c in caps]
        owner = np.repeat(np.arange(12), 5)
        open(texts, "w").write("\n".join(flat) + "\n")
        run([clip_run, "embed", lib, "--params", ckpt, "--images", listing,
             "--out", os.path.join(work, "img.safetensors")])
        run([clip_run, "embed", lib, "--params", ckpt, "--texts", texts,
             "--out", os.path.join(work, "txt.safetensors")])
        img = load_file(os.path.join(work, "img.safetensors"))["embeddings"].astype(np.float64)
        txt = load_file(os.path.join(work, "txt.safetensors"))["embeddings"].astype(np.float64)
        scale = float(np.exp(load_file(ckpt)["logit_scale"].astype(np.float64)))
        first = txt[::5]
        losses = []
        for b in range(0, 12 - 8 + 1, 8):
            logits = scale * img[b:b + 8] @ first[b:b + 8].T
            def ce(l):
                l = l - l.max(axis=1, keepdims=True)
                return np.mean(np.log(np.exp(l).sum(axis=1)) - np.diag(l))
            losses.append((ce(logits) + ce(logits.T)) / 2)
        loss = float(np.mean(losses))
        sims = img @ txt.T
        i2t = np.array([(sims[i] > sims[i, owner == i].max()).sum() for i in range(12)])
        t2i = np.array([(sims[:, t] > sims[owner[t], t]).sum() for t in range(60)])
        recalls = [np.mean(i2t < k) for k in (1, 5, 10)] + [np.mean(t2i < k) for k in (1, 5, 10)]
        last = records[-1]
        ours = [last[k] for k in ("val_i2t_r1", "val_i2t_r5", "val_i2t_r10",
                                  "val_t2i_r1", "val_t2i_r5", "val_t2i_r10")]
        err = abs(last["val_loss"] - loss) / abs(loss)
        close = all(abs(a - b) <= 1 / 12 + 1e-9 for a, b in zip(ours[:3], recalls[:3])) and all(
            abs(a - b) <= 1 / 60 + 1e-9 for a, b in zip(ours[3:], recalls[3:]))
        check(err <= 1e-5 and close,
              f"step-4 validation: loss {last['val_loss']:.6f} vs numpy {loss:.6f} (rel error "
              f"{err:.1e}); recalls {[round(x, 3) for x in ours]} vs "
              f"{[round(float(x), 3) for x in recalls]}")
        check("validation at step 4: loss" in out and "(12 images, 60 captions" in out,
              "progress shows the validation line")

        svg = open(plot).read()
        labels = re.findall(r'<text x="[0-9.]+" y="[0-9.]+">([a-z_0-9]+)</text>', svg)
        check(labels[:3] == ["loss", "val_loss", "val_mean_recall"]
              and svg.count("<circle") >= 4 and svg.count(">step 4</text>") == len(labels),
              f"plot panels {labels}, {svg.count('<circle')} markers, step ticks on each")

        # --val-split: the held-out samples are those whose hash is below the
        # fraction; 0.25 of the 40 training images.
        held = [i for i in range(40) if (splitmix(i) >> 11) * 2.0 ** -53 < 0.25]
        outs = [run([clip_run, "train", lib, "--csv", train_csv, "--val-split", "0.25",
                     "--steps", "1", "--seed", str(seed), "--no-eval"]) for seed in (1, 2)]
        counts = [re.search(r"\((\d+) images, (\d+) captions", o) for o in outs]
        check(all(c and c.groups() == (str(len(held)), str(5 * len(held))) for c in counts)
              and all(f"{40 - len(held)} image-text pairs" in o for o in outs),
              f"--val-split 0.25 holds out {len(held)} of 40 images (the hash's), the same "
              f"with seeds 1 and 2")
    check.finish()


if __name__ == "__main__":
    main()
