#!/usr/bin/env python3
"""bf16 storage (`clipc --precision bf16`) against PyTorch's own bf16.

For each case, one seeded OpenCLIP model and batch (openclip_parity.py's) run
four ways: PyTorch in f32, PyTorch under `torch.autocast("cpu",
dtype=torch.bfloat16)`, our compiled CPU step with `--precision fp32` and
with `--precision bf16` (clip-run step, same parameters and data). Each
output (the loss and every parameter's gradient) is compared by relative L2
error and cosine:

  torch-bf16 vs torch-f32   what bf16 costs PyTorch (the yardstick)
  ours-bf16  vs ours-f32    what bf16 costs us
  ours-bf16  vs torch-bf16  the two bf16 answers against each other
  ours-f32   vs torch-f32   sanity: the f32 paths agree (<= 1e-4)

Bounds come from the yardstick, not from a guess: our bf16 error against f32
may be at most RATIO times PyTorch's, in the median over the outputs and in
the worst one; the cosine of every gradient with the f32 one at least
PyTorch's worst minus a margin. Both bf16 answers round differently (other
summation orders, other places of rounding), so ours-bf16 vs torch-bf16 is
reported, and bounded only by the sum of the two errors' scale.

A gradient that is zero by symmetry is measured against the largest
gradient norm (as in openclip_gradients.py).

Cases: tiny (ViT-Tiny-32, batch 4), vitb16 (ViT-B/16, batch 2), rn50 (RN50
at 64x64, batch 2, BatchNorm with batch statistics).
"""
import argparse
import copy
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
import torch.nn.functional as F
from open_clip.loss import ClipLoss
from safetensors.numpy import load_file
from safetensors.torch import save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from openclip_parity import (ROOT, build_model, clear_relu_kinks,  # noqa: E402
                             random_tokens, state_dict_for_clipc)

CASES = {
    # name: (OpenCLIP config, batch, image size (None: the config's),
    #        BatchNorm in training mode)
    "tiny": ("ViT-Tiny-32", 4, None, False),
    "vitb16": ("ViT-B-16", 2, None, False),
    "rn50": ("RN50", 2, 64, True),
}
# Our bf16 error (against our f32) may be this many times PyTorch's.
RATIO = 2.0
COSINE_MARGIN = 0.002
F32_BOUND = 1e-4
ZERO = 1e-6


def torch_outputs(model, image, text, bf16, train_bn):
    model.train(train_bn)
    model.zero_grad()
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        image_n = F.normalize(model.encode_image(image), dim=-1)
        text_n = F.normalize(model.encode_text(text), dim=-1)
        loss = ClipLoss()(image_n.float(), text_n.float(), model.logit_scale.exp())
    loss.backward()
    out = {"result0": loss.detach().double().numpy()}
    for name, p in model.named_parameters():
        out[f"grad/{name}"] = p.grad.detach().double().numpy()
    return out


def run(cmd):
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"FAILED: {' '.join(cmd)}\n{result.stdout}\n{result.stderr}")
    return result.stdout


def compare(a, b, largest, zero):
    """Relative L2 error of a against b, and their cosine. A gradient that
    is zero in exact arithmetic (`zero`: PyTorch's f32 one is below ZERO
    times the largest gradient norm; a bias of attention keys shifts every
    score of a row alike) is rounding noise on every side, so the error is
    measured against `largest` and the cosine, meaningless, counts as 1."""
    a, b = np.ravel(a).astype(np.float64), np.ravel(b).astype(np.float64)
    nb = np.linalg.norm(b)
    if zero:
        return np.linalg.norm(a - b) / largest, 1.0
    err = np.linalg.norm(a - b) / max(nb, 1e-300)
    cos = float(a @ b / max(np.linalg.norm(a) * nb, 1e-300)) if a.size > 1 else 1.0
    return err, cos


def run_case(name, build, work):
    config, batch, image_size, train_bn = CASES[name]
    bin_dir = os.path.join(build, "bin")
    model_file = os.path.join(work, f"{name}.mlir")
    run([os.path.join(bin_dir, "clip-modelgen"),
         os.path.join(ROOT, "models/clip/configs", config + ".json"), "-o", model_file]
        + (["--image-size", str(image_size)] if image_size else []))
    model, cfg = build_model(config, image_size, seed=1234)
    size = cfg["vision_cfg"].get("image_size", 224)
    generator = torch.Generator().manual_seed(99)
    image = torch.randn(batch, 3, size, size, generator=generator)
    text = random_tokens(batch, cfg["text_cfg"]["context_length"], generator)
    if train_bn:
        # The f32 sanity check compares two f32 paths at ReLU inputs within
        # rounding of 0 otherwise (openclip_parity.clear_relu_kinks).
        clear_relu_kinks(model, image, train_bn)
    params = os.path.join(work, f"{name}-params.safetensors")
    inputs = os.path.join(work, f"{name}-inputs.safetensors")
    save_file(state_dict_for_clipc(model, torch.float32), params)
    save_file({"image": image.contiguous(), "text": text}, inputs)

    state = copy.deepcopy(model.state_dict())
    runs = {"torch-f32": torch_outputs(model, image, text, False, train_bn)}
    model.load_state_dict(state)  # BatchNorm's running statistics moved
    runs["torch-bf16"] = torch_outputs(model, image, text, True, train_bn)
    for precision in ("fp32", "bf16"):
        lib = os.path.join(work, f"{name}-{precision}.so")
        start = time.time()
        run([os.path.join(bin_dir, "clipc"), model_file, "--batch", str(batch),
             "--precision", precision, "-o", lib]
            + (["--train-batch-norm"] if train_bn else []))
        compiled = time.time() - start
        out = os.path.join(work, f"{name}-{precision}-out.safetensors")
        step = run([os.path.join(bin_dir, "clip-run"), "step", lib, "--params", params,
                    "--inputs", inputs, "--out", out]).strip().splitlines()[-1]
        print(f"{name}: ours {precision}: clipc {compiled:.1f} s, step: {step}")
        runs[f"ours-{precision}"] = {k: v for k, v in load_file(out).items()
                                    if k == "result0" or k.startswith("grad/")}
    keys = sorted(runs["torch-f32"])
    missing = [k for k in keys if k not in runs["ours-bf16"]]
    if missing:
        sys.exit(f"{name}: no output for {missing}")

    pairs = {"torch": ("torch-bf16", "torch-f32"), "ours": ("ours-bf16", "ours-fp32"),
             "cross": ("ours-bf16", "torch-bf16"), "f32": ("ours-fp32", "torch-f32")}
    largest = max(np.linalg.norm(v) for k, v in runs["torch-f32"].items()
                  if k.startswith("grad/"))
    zero = {k for k in keys if k.startswith("grad/")
            and np.linalg.norm(runs["torch-f32"][k]) < ZERO * largest}
    table = {p: {k: compare(runs[a][k], runs[b][k], largest, k in zero) for k in keys}
             for p, (a, b) in pairs.items()}

    def stats(p):
        errs = [table[p][k][0] for k in keys]
        cos = [table[p][k][1] for k in keys]
        worst = max(keys, key=lambda k: table[p][k][0])
        return np.median(errs), table[p][worst][0], worst, min(cos)

    print(f"{name}: {len(keys) - 1} gradients + loss; relative L2 error (median, "
          f"worst) and the lowest cosine:")
    for p, (a, b) in pairs.items():
        med, worst, key, cos = stats(p)
        print(f"  {a:10s} vs {b:10s}  loss {table[p]['result0'][0]:.2e}  median "
              f"{med:.2e}  worst {worst:.2e} ({key})  min cosine {cos:.6f}")
    t_med, t_worst, _, t_cos = stats("torch")
    o_med, o_worst, o_key, o_cos = stats("ours")
    c_med, c_worst, c_key, _ = stats("cross")
    f_med, f_worst, f_key, _ = stats("f32")
    failures = []
    if o_med > RATIO * t_med:
        failures.append(f"median bf16 error {o_med:.2e} > {RATIO} x PyTorch's {t_med:.2e}")
    if o_worst > RATIO * t_worst:
        failures.append(f"worst bf16 error {o_worst:.2e} ({o_key}) > {RATIO} x "
                        f"PyTorch's {t_worst:.2e}")
    if o_cos < t_cos - COSINE_MARGIN:
        failures.append(f"lowest cosine {o_cos:.6f} < PyTorch's {t_cos:.6f} - "
                        f"{COSINE_MARGIN}")
    # Two bf16 answers each within their error of f32 are within the sum.
    if c_worst > RATIO * (t_worst + o_worst):
        failures.append(f"ours-bf16 vs torch-bf16 {c_worst:.2e} ({c_key}) beyond "
                        f"{RATIO} x the two errors' sum")
    if f_worst > F32_BOUND:
        failures.append(f"f32 paths differ: {f_worst:.2e} ({f_key}) > {F32_BOUND}")
    for f in failures:
        print(f"FAIL {name}: {f}")
    if not failures:
        print(f"ok   {name}: bf16 within {RATIO} x PyTorch's own bf16 error "
              f"(median {o_med / t_med:.2f}x, worst {o_worst / t_worst:.2f}x)")
    return not failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--work", help="keep the files in this directory")
    parser.add_argument("cases", nargs="*", default=list(CASES))
    args = parser.parse_args()
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    ok = True
    with tempfile.TemporaryDirectory() as temp:
        work = args.work or temp
        os.makedirs(work, exist_ok=True)
        for name in args.cases:
            ok &= run_case(name, args.build, work)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
