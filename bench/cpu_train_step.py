#!/usr/bin/env python3
"""CPU training step (forward + backward, no optimizer) of the small ViT:
clipc's clip.so against PyTorch eager on the same machine, in one run.

Both do the same work per step: the loss of a batch of image/text pairs and
the gradient of every parameter (OpenCLIP's model and ClipLoss in PyTorch,
float32, as many threads as cores). Prints ms/step and pairs/s for each and
the ratio. Usage: bench/cpu_train_step.py [--batch 32] [--steps 10]
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

import torch
from open_clip.loss import ClipLoss

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "test/parity"))
from openclip_parity import build_model, random_tokens  # noqa: E402


def torch_step_ms(batch, steps, warmup=2):
    model, cfg = build_model("ViT-Tiny-32", None, seed=1234)
    model.train()
    size = cfg["vision_cfg"].get("image_size", 224)
    g = torch.Generator().manual_seed(0)
    image = torch.randn(batch, 3, size, size, generator=g)
    text = random_tokens(batch, cfg["text_cfg"]["context_length"], g)
    loss_fn = ClipLoss()
    times = []
    for i in range(warmup + steps):
        start = time.perf_counter()
        model.zero_grad(set_to_none=True)
        image_features, text_features, logit_scale = model(image, text)
        # OpenCLIP's forward returns the scale already exponentiated.
        loss = loss_fn(image_features, text_features, logit_scale)
        loss.backward()
        if i >= warmup:
            times.append(time.perf_counter() - start)
    return 1e3 * sorted(times)[len(times) // 2]


def clipc_step_ms(build, batch, steps, work):
    lib = os.path.join(work, "clip.so")
    subprocess.run([os.path.join(build, "bin/clipc"), os.path.join(ROOT, "models/clip/vit_tiny.mlir"),
                    "--batch", str(batch), "-o", lib], check=True)
    out = subprocess.run([os.path.join(build, "bin/clip-run"), "step", lib, "--steps", str(steps + 2)],
                         check=True, capture_output=True, text=True).stdout
    times = [float(m) for m in re.findall(r"  ([0-9.]+) ms  ", out)][2:]
    return sorted(times)[len(times) // 2]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--steps", type=int, default=10)
    args = parser.parse_args()
    torch.set_num_threads(os.cpu_count())
    with tempfile.TemporaryDirectory() as work:
        ours = clipc_step_ms(args.build, args.batch, args.steps, work)
    theirs = torch_step_ms(args.batch, args.steps)
    print(f"small ViT (ViT-Tiny-32), batch {args.batch}, {os.cpu_count()} cores, median of {args.steps} steps")
    print(f"  clipc clip.so (CPU)   {ours:8.1f} ms/step  {args.batch / ours * 1e3:7.1f} pairs/s")
    print(f"  PyTorch eager         {theirs:8.1f} ms/step  {args.batch / theirs * 1e3:7.1f} pairs/s")
    print(f"  speed-up over PyTorch {theirs / ours:.2f}x")


if __name__ == "__main__":
    main()
