#!/usr/bin/env python3
"""clip-run eval's retrieval on Flickr30k/COCO-style data against numpy.

A made data set: 12 images, 5 captions each, as a CSV with one row a
caption (rows of different images interleaved) and as a WebDataset shard
whose samples carry a .json "captions" list. clip-run eval --csv and --tar
must report the standard protocol (image->text: a hit when any of the
image's 5 captions is in the top K of all 60; text->image: the caption's
image among the 12 unique images; R@1/5/10 both ways, their mean and RSUM),
equal to numpy's computation on the embeddings clip-run embed writes for the
same images and captions (one ranking flip allowed per direction for f32
rounding, as train-resume's retrieval check allows).
"""
import argparse
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile

import numpy as np
from PIL import Image
from safetensors.numpy import load_file

from support import Checks, run

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
IMAGES, CAPTIONS = 12, 5
WORDS = ["red", "green", "blue", "small", "large", "striped", "dotted", "bright", "dark",
         "round", "square", "wooden", "metal", "soft", "shiny"]


def protocol(img, txt, owner):
    """Recalls in percent: image->text R@1/5/10, text->image R@1/5/10."""
    sims = img.astype(np.float64) @ txt.astype(np.float64).T  # [images, captions]
    i2t = []
    for i in range(sims.shape[0]):
        best = sims[i, owner == i].max()
        i2t.append((sims[i] > best).sum())
    t2i = []
    for t in range(sims.shape[1]):
        truth = sims[owner[t], t]
        t2i.append((sims[:, t] > truth).sum())
    i2t, t2i = np.array(i2t), np.array(t2i)
    return ([100.0 * np.mean(i2t < k) for k in (1, 5, 10)]
            + [100.0 * np.mean(t2i < k) for k in (1, 5, 10)])


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    args = parser.parse_args()
    clipc = os.path.join(args.build, "bin/clipc")
    clip_run = os.path.join(args.build, "bin/clip-run")
    rng = np.random.default_rng(3)
    failed = False
    with tempfile.TemporaryDirectory(prefix="clip-retrieval-") as work:
        lib = os.path.join(work, "m.so")
        params = os.path.join(work, "p.safetensors")
        run([clipc, os.path.join(ROOT, "models/clip/vit_tiny.mlir"), "--batch", "4", "-o", lib])
        run([clip_run, "step", lib, "--steps", "0", "--seed", "5", "--save-params", params])

        paths, captions, owner = [], [], []
        for i in range(IMAGES):
            path = os.path.join(work, f"img{i:02}.png")
            Image.fromarray(rng.integers(0, 255, (40 + i, 36, 3), dtype=np.uint8)).save(path)
            paths.append(path)
        for i in range(IMAGES):
            for c in range(CAPTIONS):
                words = rng.choice(WORDS, 3, replace=False)
                captions.append(f"a {' '.join(words)} thing, image {i} caption {c}")
                owner.append(i)
        owner = np.array(owner)
        # CSV: one row a caption, images interleaved (caption c of every
        # image, then c + 1), so grouping must gather them.
        csv = os.path.join(work, "captions.csv")
        with open(csv, "w") as f:
            f.write("filepath\ttitle\n")
            for c in range(CAPTIONS):
                for i in range(IMAGES):
                    f.write(f"{os.path.basename(paths[i])}\t{captions[i * CAPTIONS + c]}\n")
        # WebDataset: image + json captions list per sample.
        shard = os.path.join(work, "shard-000.tar")
        with tarfile.open(shard, "w") as tar:
            for i in range(IMAGES):
                for name, data in [(f"{i:04}.png", open(paths[i], "rb").read()),
                                   (f"{i:04}.json", json.dumps(
                                       {"captions": captions[i * CAPTIONS:(i + 1) * CAPTIONS]}).encode())]:
                    info = tarfile.TarInfo(name)
                    info.size = len(data)
                    tar.addfile(info, io.BytesIO(data))

        listing, texts = os.path.join(work, "images.txt"), os.path.join(work, "texts.txt")
        with open(listing, "w") as f:
            f.write("\n".join(paths) + "\n")
        with open(texts, "w") as f:
            f.write("\n".join(captions) + "\n")
        img_out, txt_out = os.path.join(work, "img.safetensors"), os.path.join(work, "txt.safetensors")
        run([clip_run, "embed", lib, "--params", params, "--images", listing, "--out", img_out])
        run([clip_run, "embed", lib, "--params", params, "--texts", texts, "--out", txt_out])
        expected = protocol(load_file(img_out)["embeddings"], load_file(txt_out)["embeddings"],
                            owner)
        for flag, source in [("--csv", csv), ("--tar", shard)]:
            out = run([clip_run, "eval", lib, "--params", params, flag, source])
            ours = [float(x) for x in re.findall(r"R@\d+ ([0-9.]+)%", out)]
            header = re.search(r"retrieval on (\d+) images, (\d+) captions", out)
            summary = re.search(r"mean recall ([0-9.]+)%, RSUM ([0-9.]+)", out)
            ok = (header and header.groups() == (str(IMAGES), str(IMAGES * CAPTIONS))
                  and len(ours) == 6 and summary
                  and all(abs(a - b) <= 100.0 / IMAGES + 1e-6 for a, b in zip(ours[:3], expected[:3]))
                  and all(abs(a - b) <= 100.0 / (IMAGES * CAPTIONS) + 1e-6
                          for a, b in zip(ours[3:], expected[3:]))
                  and abs(float(summary.group(2)) - sum(ours)) < 0.02
                  and abs(float(summary.group(1)) - sum(ours) / 6) < 0.01)
            failed |= not ok
            print(f"{'ok  ' if ok else 'FAIL'} eval {flag}: {out.strip()}\n"
                  f"     numpy: i2t R@1/5/10 {[round(float(x), 2) for x in expected[:3]]}, "
                  f"t2i R@1/5/10 {[round(float(x), 2) for x in expected[3:]]}, "
                  f"RSUM {sum(expected):.2f}", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
