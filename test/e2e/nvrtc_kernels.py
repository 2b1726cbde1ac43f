#!/usr/bin/env python3
"""Every CUDA kernel of every model compiles with NVRTC, clean.

For each model (and RN50 also with BatchNorm training, which has its own
kernels), `clipc --target cuda` generates the CUDA unit of every function
(training step, forward and encoders) and compiles it with NVRTC for sm_90;
clipc fails on any NVRTC error or warning. No GPU is needed. The test also
checks that the kernels listed in clip-run info are all there (a function
compiled for CUDA carries a step list covering its whole schedule) and the
sm_90 cubin clipc compiled, stored in the clip.so.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

CASES = [
    ("vit_tiny", "models/clip/vit_tiny.mlir", []),
    ("vitb16", "models/clip/vitb16.mlir", []),
    ("vitb32", "models/clip/vitb32.mlir", []),
    ("vitl14", "models/clip/vitl14.mlir", []),
    ("rn50", "models/clip/rn50.mlir", []),
    ("rn50-train-bn", "models/clip/rn50.mlir", ["--train-batch-norm"]),
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", required=True)
    parser.add_argument("--arch", default="sm_90")
    parser.add_argument("--only", help="run one case")
    args = parser.parse_args()
    clipc = os.path.join(args.build, "bin", "clipc")
    clip_run = os.path.join(args.build, "bin", "clip-run")
    failures = 0
    with tempfile.TemporaryDirectory() as work:
        for name, model, flags in CASES:
            if args.only and name != args.only:
                continue
            out = os.path.join(work, name + ".so")
            start = time.time()
            result = subprocess.run(
                [clipc, os.path.join(ROOT, model), "--target", "cuda", "--batch", "8",
                 "--cuda-arch", args.arch, "-o", out] + flags,
                capture_output=True, text=True)
            seconds = time.time() - start
            if result.returncode != 0:
                failures += 1
                print(f"FAIL {name}: clipc exited {result.returncode}\n{result.stderr[-4000:]}")
                continue
            reports = [line for line in result.stdout.splitlines() if "NVRTC" in line]
            info = subprocess.run([clip_run, "info", out], capture_output=True, text=True)
            # Every function stores the sm_90 cubin NVRTC compiled (ABI 4 on).
            functions = re.findall(
                r"^@(\w+): (\d+) kernels.*cuda \((\d+) steps, sm_90 cubin [\d.]+ MiB\)",
                info.stdout, re.M)
            if info.returncode != 0 or not functions or len(functions) != len(reports):
                failures += 1
                print(f"FAIL {name}: clip-run info does not list a CUDA target with a "
                      f"stored sm_90 cubin for every function\n{info.stdout}{info.stderr}")
                continue
            for fn, kernels, steps in functions:
                if int(steps) < int(kernels):
                    failures += 1
                    print(f"FAIL {name}: @{fn} has {kernels} kernels but {steps} CUDA steps")
            print(f"ok   {name}: {seconds:.1f} s")
            for line in reports:
                print("       " + line.replace("clipc: ", ""))
    if failures:
        print(f"{failures} failure(s)")
        return 1
    print("every CUDA kernel of every model compiles with NVRTC, clean")
    return 0


if __name__ == "__main__":
    sys.exit(main())
