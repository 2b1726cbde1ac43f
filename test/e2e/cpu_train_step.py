#!/usr/bin/env python3
"""The compiled CPU training step against the reference evaluator.

For each case: `clipc` compiles the model to a clip.so (CPU target), and
`clip-run step` runs `@train_step` once on seeded random parameters and data,
writing the parameters, the data and every output (loss, grad/<param>,
update/<param>). `clipc --emit mlir` gives the same training graph, which
clip-ref evaluates in f64 on the same parameters and data. Every output must
agree: relative L2 error ||ours - ref|| / ||ref|| <= 1e-5 (f32 arithmetic
against exact; measured ~2e-6). A gradient that is zero by symmetry (the
attention pool's key bias) is checked against the largest gradient norm.

Cases: tiny (the small ViT, batch 4), rn50 (RN50 at 64x64, batch 2, BatchNorm
with batch statistics).
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from safetensors.numpy import load_file

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BOUND = 1e-5
ZERO = 1e-6

CASES = {
    # name: (model file or config, image size, batch, clipc flags)
    "tiny": ("models/clip/vit_tiny.mlir", None, 4, []),
    "rn50": ("models/clip/configs/RN50.json", 64, 2, ["--train-batch-norm"]),
}


def run(cmd):
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"FAILED: {' '.join(cmd)}\n{result.stdout}\n{result.stderr}")
    return result.stdout


def run_case(name, build, work):
    source, image_size, batch, flags = CASES[name]
    bin_dir = os.path.join(build, "bin")
    model = os.path.join(ROOT, source)
    if image_size:
        model = os.path.join(work, f"{name}.mlir")
        run([os.path.join(bin_dir, "clip-modelgen"), os.path.join(ROOT, source),
             "--image-size", str(image_size), "-o", model])
    lib = os.path.join(work, f"{name}.so")
    start = time.time()
    run([os.path.join(bin_dir, "clipc"), model, "--batch", str(batch), "-o", lib] + flags)
    compiled = time.time() - start
    graph = os.path.join(work, f"{name}-train.mlir")
    with open(graph, "w") as f:
        f.write(run([os.path.join(bin_dir, "clipc"), model, "--batch", str(batch),
                     "--emit", "mlir"] + flags))
    params, inputs, ours, ref = (os.path.join(work, f"{name}-{k}.safetensors")
                                 for k in ("params", "inputs", "ours", "ref"))
    step = run([os.path.join(bin_dir, "clip-run"), "step", lib, "--seed", "7",
                "--save-params", params, "--save-inputs", inputs, "--out", ours])
    start = time.time()
    run([os.path.join(bin_dir, "clip-ref"), graph, "--function", "train_step",
         "--batch", str(batch), "--f64", "--params", params, "--inputs", inputs,
         "-o", ref])
    referenced = time.time() - start

    ours, ref = load_file(ours), load_file(ref)
    if set(ours) != set(ref):
        sys.exit(f"{name}: outputs differ: only ours {sorted(set(ours) - set(ref))}, "
                 f"only reference {sorted(set(ref) - set(ours))}")
    largest = max(np.linalg.norm(v) for k, v in ref.items() if k.startswith("grad/"))
    worst, failures = (0.0, ""), []
    for key in sorted(ref):
        a, b = ours[key].astype(np.float64), ref[key].astype(np.float64)
        norm = np.linalg.norm(b)
        if key.startswith("grad/") and norm < ZERO * largest:
            err = np.linalg.norm(a - b) / largest
        else:
            err = np.linalg.norm(a - b) / max(norm, 1e-30)
        worst = max(worst, (err, key))
        if not err <= BOUND:
            failures.append(f"  {key}: relative error {err:.3e}")
    loss = float(ref["result0"])
    print(f"{name}: {len(ref)} outputs, loss {float(ours['result0']):.6f} (reference "
          f"{loss:.6f}), worst relative error {worst[0]:.2e} ({worst[1]}); clipc "
          f"{compiled:.1f} s, step: {step.strip().splitlines()[-1]}, clip-ref "
          f"{referenced:.1f} s")
    if failures:
        print(f"{name}: {len(failures)} outputs above {BOUND}:\n" + "\n".join(failures))
        return False
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("cases", nargs="*", default=list(CASES))
    args = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory() as work:
        for name in args.cases:
            ok &= run_case(name, args.build, work)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
