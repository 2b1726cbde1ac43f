#!/usr/bin/env python3
"""A global batch far beyond activation memory: ViT-Tiny-28 trained with
chunks (GradCache on the split step) at batch 65,536 on this CPU.

Fashion-MNIST's 70,000 images (train and test) become one WebDataset shard
of PNG + caption pairs ("a photo of a <class>."); clipc compiles the model
with --distributed at the chunk size; `clip-run train --batch B` takes B
pairs a step in B / chunk chunks. Prints the compiled arenas, seconds a step,
pairs/s and the process's peak memory (getrusage), with what one unchunked
step at batch B would plan (the train step's arena grows linearly in the
batch: measured at the chunk size and scaled).
Usage: bench/chunked_batch.py [--batch 65536] [--chunk 1024] [--steps 2]
"""
import argparse
import gzip
import io
import os
import re
import resource
import subprocess
import sys
import tarfile
import tempfile
import time

import numpy as np
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = "/usr/share/datasets/fashion-mnist"
NAMES = ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker",
         "bag", "ankle boot"]


def write_shard(path):
    count = 0
    with tarfile.open(path, "w") as tar:
        for split in ("train", "t10k"):
            with gzip.open(f"{DATA}/{split}-images-idx3-ubyte.gz") as f:
                images = np.frombuffer(f.read()[16:], np.uint8).reshape(-1, 28, 28)
            with gzip.open(f"{DATA}/{split}-labels-idx1-ubyte.gz") as f:
                labels = np.frombuffer(f.read()[8:], np.uint8)
            for image, label in zip(images, labels):
                png = io.BytesIO()
                Image.fromarray(image).save(png, format="PNG")
                for ext, data in (("png", png.getvalue()),
                                  ("txt", f"a photo of a {NAMES[label]}.".encode())):
                    info = tarfile.TarInfo(f"{count:06d}.{ext}")
                    info.size = len(data)
                    tar.addfile(info, io.BytesIO(data))
                count += 1
    return count


def arena_mib(info, function):
    m = re.search(rf"@{function}: \d+ kernels, arena ([0-9.]+) MiB", info)
    return float(m.group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--batch", type=int, default=65536)
    parser.add_argument("--chunk", type=int, default=1024)
    parser.add_argument("--steps", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        shard = os.path.join(work, "fashion-mnist.tar")
        start = time.time()
        pairs = write_shard(shard)
        print(f"shard: {pairs} pairs ({time.time() - start:.0f} s)")
        lib = os.path.join(work, "tiny.so")
        subprocess.run([os.path.join(args.build, "bin/clipc"),
                        os.path.join(ROOT, "models/clip/vit_tiny28.mlir"), "--batch",
                        str(args.chunk), "--distributed", "-o", lib], check=True)
        info = subprocess.run([os.path.join(args.build, "bin/clip-run"), "info", lib],
                              check=True, capture_output=True, text=True).stdout
        embed, backward = arena_mib(info, "train_embed"), arena_mib(info, "train_backward")
        whole = arena_mib(info, "train_step") * args.batch / args.chunk
        start = time.time()
        out = subprocess.run([os.path.join(args.build, "bin/clip-run"), "train", lib, "--tar",
                              shard, "--batch", str(args.batch), "--steps", str(args.steps),
                              "--no-eval", "--log-every", "1", "--workers", "2"],
                             check=True, capture_output=True, text=True).stdout
        seconds = time.time() - start
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    losses = re.findall(r"loss ([0-9.]+) \(avg", out)
    print(out.strip().splitlines()[-1])
    print(f"ViT-Tiny-28, global batch {args.batch} in chunks of {args.chunk}, {os.cpu_count()} cores:")
    print(f"  arenas: @train_embed {embed:.0f} MiB + @train_backward {backward:.0f} MiB "
          f"(one unchunked step at batch {args.batch}: {whole / 1024:.1f} GiB)")
    print(f"  {args.steps} steps in {seconds:.0f} s ({seconds / args.steps:.0f} s a step, start-up "
          f"included; {args.batch * args.steps / seconds:.0f} pairs/s), losses {losses}")
    print(f"  peak memory of clip-run: {peak:.0f} MiB")


if __name__ == "__main__":
    sys.exit(main())
