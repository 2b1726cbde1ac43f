#!/usr/bin/env python3
"""clip-run filter against numpy on the embeddings clip-run embed writes.

Made data: 10 images with 3 captions each in a CSV (one row a caption), one
more row naming a corrupt image, and the same pairs as a WebDataset shard.
The threshold is the median of the 30 reference scores (cosine similarity
of each image's and caption's embeddings, in float64), so about half are
kept. Checks: the CSV output holds exactly the reference's kept pairs, in
source order, with their scores (1e-5); the tar output's samples hold the
same pairs (image bytes copied, .txt caption, .json score) and read back as
a data set (clip-run eval --tar); the corrupt image is reported, skipped and
counted; progress and counts are printed.
"""
import argparse
import csv as csvlib
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

from support import Checks, run_process as run

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    args = parser.parse_args()
    clip_run = os.path.join(args.build, "bin/clip-run")
    rng = np.random.default_rng(8)
    check = Checks()

    with tempfile.TemporaryDirectory(prefix="clip-filter-") as work:
        lib, params = os.path.join(work, "m.so"), os.path.join(work, "p.safetensors")
        run([os.path.join(args.build, "bin/clipc"), os.path.join(ROOT, "models/clip/vit_tiny.mlir"),
             "--batch", "4", "-o", lib])
        run([clip_run, "step", lib, "--steps", "0", "--seed", "9", "--save-params", params])
        paths, pairs = [], []
        for i in range(10):
            path = os.path.join(work, f"img{i}.png")
            Image.fromarray(rng.integers(0, 255, (30 + i, 34, 3), dtype=np.uint8)).save(path)
            paths.append(path)
            for c in range(3):
                pairs.append((i, f"caption {c} of picture {i}, {'red blue green'.split()[c]}"))
        bad = os.path.join(work, "corrupt.png")
        open(bad, "wb").write(b"\x89PNG\r\n\x1a\n not really")
        data_csv = os.path.join(work, "pairs.csv")
        with open(data_csv, "w") as f:
            f.write("filepath\ttitle\n")
            for i, caption in pairs:
                f.write(f"{os.path.basename(paths[i])}\t{caption}\n")
            f.write("corrupt.png\ta broken file\n")
        shard = os.path.join(work, "in-000.tar")
        with tarfile.open(shard, "w") as tar:
            for i in range(10):
                for name, data in [(f"{i:03}.png", open(paths[i], "rb").read()),
                                   (f"{i:03}.json", json.dumps(
                                       {"captions": [c for j, c in pairs if j == i]}).encode())]:
                    info = tarfile.TarInfo(name)
                    info.size = len(data)
                    tar.addfile(info, io.BytesIO(data))

        # The reference: cosine of embed's rows, in float64.
        listing, texts = os.path.join(work, "images.txt"), os.path.join(work, "texts.txt")
        open(listing, "w").write("\n".join(paths) + "\n")
        open(texts, "w").write("\n".join(c for _, c in pairs) + "\n")
        run([clip_run, "embed", lib, "--params", params, "--images", listing,
             "--out", os.path.join(work, "img.safetensors")])
        run([clip_run, "embed", lib, "--params", params, "--texts", texts,
             "--out", os.path.join(work, "txt.safetensors")])
        img = load_file(os.path.join(work, "img.safetensors"))["embeddings"].astype(np.float64)
        txt = load_file(os.path.join(work, "txt.safetensors"))["embeddings"].astype(np.float64)
        scores = np.array([img[i] @ txt[t] for t, (i, _) in enumerate(pairs)])
        threshold = float(np.median(scores))
        gaps = np.abs(scores - threshold)
        gaps = gaps[gaps > 0]
        expected = [(paths[i], c, s) for (i, c), s in zip(pairs, scores) if s >= threshold]

        out_csv = os.path.join(work, "kept.csv")
        proc = run([clip_run, "filter", lib, "--params", params, "--csv", data_csv,
                    "--min-score", repr(threshold), "--out", out_csv])
        with open(out_csv) as f:
            rows = list(csvlib.DictReader(f, delimiter="\t"))
        got = [(r["filepath"], r["title"], float(r["score"])) for r in rows]
        same = len(got) == len(expected) and all(
            g[0] == e[0] and g[1] == e[1] and abs(g[2] - e[2]) <= 1e-5
            for g, e in zip(got, expected))
        check(same, f"--out CSV: {len(got)} of {len(pairs)} pairs kept at the median score "
                    f"{threshold:.5f} (reference {len(expected)}; nearest other score "
                    f"{gaps.min():.1e} away), paths, captions and scores equal")
        counts = re.search(r"kept (\d+) of (\d+) pairs .* (\d+) corrupt sample", proc.stdout)
        check(counts is not None and counts.groups() == (str(len(expected)), "30", "1")
              and "corrupt.png" in proc.stderr and "filter: 11/11 images" in proc.stdout,
              f"counts, progress and the corrupt sample reported: "
              f"{proc.stdout.strip().splitlines()[-1]} / {proc.stderr.strip()}")

        prefix = os.path.join(work, "kept")
        run([clip_run, "filter", lib, "--params", params, "--tar", shard,
             "--min-score", repr(threshold), "--out-tar", prefix, "--shard-size", "4"])
        shards = sorted(f for f in os.listdir(work) if f.startswith("kept-") and f.endswith(".tar"))
        samples = {}
        for name in shards:
            with tarfile.open(os.path.join(work, name)) as tar:
                for member in tar.getmembers():
                    key, ext = member.name.split(".", 1)
                    samples.setdefault(key, {})[ext] = tar.extractfile(member).read()
        got = []
        for key in sorted(samples):
            s = samples[key]
            image = next(i for i, p in enumerate(paths) if open(p, "rb").read() == s["png"])
            got.append((paths[image], s["txt"].decode(), json.loads(s["json"])["score"]))
        same = len(got) == len(expected) and all(
            g[0] == e[0] and g[1] == e[1] and abs(g[2] - e[2]) <= 1e-5
            for g, e in zip(got, expected))
        check(same and len(shards) == (len(expected) + 3) // 4,
              f"--out-tar: {len(got)} pairs in {len(shards)} shards of at most 4, images "
              f"copied byte for byte, captions and scores equal")
        out = run([clip_run, "eval", lib, "--params", params, "--tar",
                   prefix + "-{000000.." + f"{len(shards) - 1:06d}" + "}.tar"]).stdout
        check(f"retrieval on {len(expected)} images" in out,
              f"the output shards read back: {out.strip()[:60]}...")
    check.finish()


if __name__ == "__main__":
    main()
