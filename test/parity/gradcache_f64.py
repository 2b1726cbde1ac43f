#!/usr/bin/env python3
"""GradCache in f64: the chunked step's gradients equal the whole batch's.

What `clip-run train --batch B` does with a clip.so of batch B/k (runtime/dist:
every chunk's features first, the loss over all of them, then each chunk
recomputed with its rows of the features' gradients, the parameters'
gradients summed), done here in f64 with independent parts, to show that
the split itself is exact (the runtime's f32 run is checked against the
unchunked f32 step in distributed_training.py):

- the tiny ViT at batch 8 with clip-run's seeded random parameters and data;
- clip-ref evaluates, in f64, @train_step at batch 8 (the reference) and
  @train_embed and @train_backward (`clipc --distributed`) at batch 4 on each
  of the 2 chunks;
- the loss and the features' gradients between them come from OpenCLIP's
  ClipLoss or SigLipLoss on the concatenated features, by PyTorch autograd in
  float64 (logit_scale's and logit_bias's gradients too).

Every parameter's gradient and the loss must agree to a relative error of
1e-9 (f64 rounding of two summation orders; measured ~1e-13), for the CLIP
loss and for SigLIP's (`--loss siglip`).
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torch.nn.functional as F
from open_clip.loss import ClipLoss, SigLipLoss
from safetensors.numpy import load_file, save_file

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BATCH, CHUNKS, BOUND = 8, 2, 1e-9


def run(cmd):
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"FAILED: {' '.join(cmd)}\n{result.stdout}\n{result.stderr}")
    return result.stdout


def rel(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-300))


def function_inputs(mlir, function):
    """The names a function of `mlir` reads with clip.input."""
    body = mlir.split(f"func.func @{function}(", 1)[1].split("\n  func.func @", 1)[0]
    return sorted(set(re.findall(r'clip\.input "([^"]+)"', body)))


def case(build, work, loss):
    bin_dir = os.path.join(build, "bin")
    model = os.path.join(ROOT, "models/clip/vit_tiny.mlir")
    chunk = BATCH // CHUNKS
    lib = os.path.join(work, f"{loss}.so")
    run([os.path.join(bin_dir, "clipc"), model, "--batch", str(BATCH), "--loss", loss, "-o", lib])
    params, inputs = (os.path.join(work, f"{loss}-{k}.safetensors") for k in ("params", "inputs"))
    run([os.path.join(bin_dir, "clip-run"), "step", lib, "--seed", "5", "--steps", "0",
         "--save-params", params, "--save-inputs", inputs])
    graphs = {}
    for name, batch, extra in (("whole", BATCH, []), ("split", chunk, ["--distributed"])):
        graphs[name] = os.path.join(work, f"{loss}-{name}.mlir")
        with open(graphs[name], "w") as f:
            f.write(run([os.path.join(bin_dir, "clipc"), model, "--batch", str(batch),
                         "--loss", loss, "--emit", "mlir", *extra]))

    def ref(graph, function, batch, bound_inputs, tag):
        path = os.path.join(work, f"{loss}-{tag}-in.safetensors")
        save_file({k: np.ascontiguousarray(v) for k, v in bound_inputs.items()}, path)
        out = os.path.join(work, f"{loss}-{tag}-out.safetensors")
        run([os.path.join(bin_dir, "clip-ref"), graph, "--function", function, "--batch",
             str(batch), "--f64", "--params", params, "--inputs", path, "-o", out])
        return load_file(out)

    data = load_file(inputs)
    whole = ref(graphs["whole"], "train_step", BATCH, data, "whole")

    # Every chunk's features (and what its backward reads), in f64.
    embedded = []
    for k in range(CHUNKS):
        rows = {name: v[k * chunk:(k + 1) * chunk] for name, v in data.items()}
        embedded.append((rows, ref(graphs["split"], "train_embed", chunk, rows, f"embed{k}")))

    # The loss over the whole batch by OpenCLIP, in float64.
    p = load_file(params)
    image = torch.tensor(np.concatenate([e["features/image"] for _, e in embedded]),
                         dtype=torch.float64, requires_grad=True)
    text = torch.tensor(np.concatenate([e["features/text"] for _, e in embedded]),
                        dtype=torch.float64, requires_grad=True)
    scale = torch.tensor(float(p["logit_scale"]), dtype=torch.float64, requires_grad=True)
    a, b = F.normalize(image, dim=-1), F.normalize(text, dim=-1)
    if loss == "siglip":
        bias = torch.tensor(float(p["logit_bias"]), dtype=torch.float64, requires_grad=True)
        value = SigLipLoss()(a, b, scale.exp(), bias)
    else:
        value = ClipLoss()(a, b, scale.exp())
    value.backward()
    grads = {"logit_scale": scale.grad.numpy()}
    if loss == "siglip":
        grads["logit_bias"] = bias.grad.numpy()

    # Each chunk again, with its rows of the features' gradients.
    split = open(graphs["split"]).read()
    wanted = function_inputs(split, "train_backward")
    for k, (rows, e) in enumerate(embedded):
        given = {**rows, **e,
                 "grad/features/image": image.grad.numpy()[k * chunk:(k + 1) * chunk],
                 "grad/features/text": text.grad.numpy()[k * chunk:(k + 1) * chunk]}
        missing = [n for n in wanted if n not in given]
        if missing:
            sys.exit(f"FAILED: @train_backward reads {missing}, which nothing gives")
        out = ref(graphs["split"], "train_backward", chunk, {n: given[n] for n in wanted},
                  f"backward{k}")
        for name, g in out.items():
            key = name[len("grad/"):]
            grads[key] = grads.get(key, 0) + g

    errors = {"loss": rel(value.detach().numpy(), whole["result0"])}
    for name, g in whole.items():
        if name.startswith("grad/"):
            key = name[len("grad/"):]
            if key not in grads:
                sys.exit(f"FAILED: {loss}: no chunked gradient for {key}")
            errors[key] = rel(grads[key], g)
    worst = max(errors, key=errors.get)
    print(f"{loss} loss: batch {BATCH} as {CHUNKS} chunks of {chunk}, f64: {len(errors) - 1} "
          f"gradients + loss, worst relative error {errors[worst]:.2e} ({worst}); "
          f"bound {BOUND:.0e}")
    return [f"{loss} {k}: {v:.2e}" for k, v in errors.items() if not v <= BOUND]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    args = parser.parse_args()
    failures = []
    with tempfile.TemporaryDirectory() as work:
        for loss in ("clip", "siglip"):
            failures += case(args.build, work, loss)
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
