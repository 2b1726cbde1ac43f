#!/usr/bin/env python3
"""The CUDA target's train step against the CPU target's, on a GPU machine.

Not in ctest (CI has no GPU): run it where `status` lends a GPU, e.g.
  python3 test/e2e/gpu_train_step.py --build build
clipc compiles the model for both targets into one clip.so; clip-run runs
@train_step once on the CPU (saving its random parameters and inputs and
every output) and once on the GPU with the same parameters and inputs; every
output (loss, each gradient) must agree within --bound relative L2 error
(f32 on both sides, different summation orders and atomics in the token
embedding's gradient: 1e-4 by default). Exits 77 (skipped) without a GPU.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
from safetensors.numpy import load_file

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", required=True)
    parser.add_argument("--model", default="models/clip/vit_tiny.mlir")
    parser.add_argument("--batch", default="4")
    parser.add_argument("--bound", type=float, default=1e-4)
    parser.add_argument("--flags", default="", help="more clipc flags")
    args = parser.parse_args()
    clipc = os.path.join(args.build, "bin", "clipc")
    clip_run = os.path.join(args.build, "bin", "clip-run")
    with tempfile.TemporaryDirectory() as work:
        lib = os.path.join(work, "model.so")
        subprocess.run([clipc, os.path.join(ROOT, args.model), "--target", "all",
                        "--batch", args.batch, "-o", lib] + args.flags.split(), check=True)
        p, i = os.path.join(work, "params.safetensors"), os.path.join(work, "inputs.safetensors")
        cpu, gpu = os.path.join(work, "cpu.safetensors"), os.path.join(work, "gpu.safetensors")
        subprocess.run([clip_run, "step", lib, "--save-params", p, "--save-inputs", i,
                        "--out", cpu], check=True)
        result = subprocess.run([clip_run, "step", lib, "--device", "cuda", "--params", p,
                                 "--inputs", i, "--out", gpu], capture_output=True, text=True)
        print(result.stdout + result.stderr)
        if result.returncode != 0:
            if "no NVIDIA driver" in result.stderr:
                print("skipped: no GPU here")
                return 77
            return 1
        a, b = load_file(cpu), load_file(gpu)
        worst, name = 0.0, ""
        for key in a:
            ref, got = a[key].astype(np.float64), b[key].astype(np.float64)
            norm = np.linalg.norm(ref)
            err = np.linalg.norm(got - ref) / norm if norm > 0 else np.linalg.norm(got)
            if err > worst:
                worst, name = err, key
        print(f"{len(a)} outputs: worst relative error {worst:.3g} ({name}), bound {args.bound}")
        return 0 if worst <= args.bound else 1


if __name__ == "__main__":
    sys.exit(main())
