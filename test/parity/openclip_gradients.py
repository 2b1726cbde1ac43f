#!/usr/bin/env python3
"""Gradients of clip-autodiff's training function against PyTorch autograd.

For each case: the OpenCLIP model of openclip_parity.py (same seeded weights,
images and token ids) computes ClipLoss and `loss.backward()`; our model file
goes through `clip-opt --clip-prepare --clip-fuse --clip-autodiff` (fusion
before autodiff, so the backward is made of fused backward ops) and clip-ref
evaluates `@train_step`, whose results are the loss and `grad/<parameter>`.
Every trainable parameter's gradient is compared: cosine similarity and
relative L2 error (a gradient that is zero by symmetry, like the attention
key bias's, is checked by its norm instead). f32: our f32-as-declared evaluation against PyTorch in
float32 (cosine >= 0.99999, relative error <= 1e-4); f64: both in double
(relative error <= 1e-8; the f32 constants of the model files limit it, see
openclip_parity.py).

Cases: tiny (the small ViT, batch 4), rn50-train (RN50 at 64x64, batch 2,
BatchNorm with batch statistics as in training; the step's updated running
statistics are compared too; its ReLU inputs are moved away from 0 by
clear_relu_kinks), tiny-siglip (the small ViT at batch 8 trained with
SigLIP's loss: `clip-use-sigmoid-loss` after fusion against OpenCLIP's
SigLipLoss, logit_scale ln 10 and a logit_bias of -10 as OpenCLIP
initializes them, whose gradient is compared too).
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
import torch.nn.functional as F
from open_clip.loss import ClipLoss, SigLipLoss
from safetensors.torch import load_file, save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from openclip_parity import (ROOT, build_model, clear_relu_kinks,  # noqa: E402
                             random_tokens, rel_error, state_dict_for_clipc)

CASES = {
    # name: (config, image size (None: the config's), batch, BatchNorm in
    # training mode, loss)
    "tiny": ("ViT-Tiny-32", None, 4, False, "clip"),
    "rn50-train": ("RN50", 64, 2, True, "clip"),
    "tiny-siglip": ("ViT-Tiny-32", None, 8, False, "siglip"),
}
F32_COSINE, F32_BOUND, F64_BOUND = 0.99999, 1e-4, 1e-8
# A reference gradient below ZERO times the largest gradient norm is zero in
# exact arithmetic; ours must then be below the bound times that norm.
ZERO = 1e-6


def torch_gradients(model, image, text, train_bn, logit_bias=None):
    """ClipLoss, or with `logit_bias` (a parameter) SigLipLoss."""
    model.train(train_bn)
    model.zero_grad()
    image_n = F.normalize(model.encode_image(image), dim=-1)
    text_n = F.normalize(model.encode_text(text), dim=-1)
    if logit_bias is None:
        loss = ClipLoss()(image_n, text_n, model.logit_scale.exp())
    else:
        logit_bias.grad = None
        loss = SigLipLoss()(image_n, text_n, model.logit_scale.exp(), logit_bias)
    loss.backward()
    grads = {name: p.grad.detach().clone() for name, p in model.named_parameters()}
    if logit_bias is not None:
        grads["logit_bias"] = logit_bias.grad.detach().clone()
    return loss.detach(), grads


def train_module(build, work, config, image_size, batch, train_bn, loss="clip"):
    source = os.path.join(work, f"{config}-{image_size}.mlir")
    subprocess.run([os.path.join(build, "bin/clip-modelgen"),
                    os.path.join(ROOT, "models/clip/configs", config + ".json")]
                   + (["--image-size", str(image_size)] if image_size else [])
                   + ["-o", source], check=True)
    train = os.path.join(work, f"{config}-{image_size}-train.mlir")
    passes = [f"--clip-prepare=batch-size={batch}"]
    if train_bn:
        passes.append("--clip-train-batch-norm")
    passes += ["--clip-fuse"]
    if loss == "siglip":
        passes.append("--clip-use-sigmoid-loss")
    passes += ["--clip-autodiff"]
    train = train.replace(".mlir", f"-{loss}.mlir")
    subprocess.run([os.path.join(build, "bin/clip-opt"), source, *passes, "-o", train],
                   check=True)
    return train


def run_case(name, build, work, precisions):
    config, image_size, batch, train_bn, loss_kind = CASES[name]
    train = train_module(build, work, config, image_size, batch, train_bn, loss_kind)
    model, cfg = build_model(config, image_size, seed=1234)
    siglip = loss_kind == "siglip"
    if siglip:
        # OpenCLIP's SigLIP initialization (init_logit_scale=log(10),
        # init_logit_bias=-10).
        with torch.no_grad():
            model.logit_scale.fill_(float(np.log(10.0)))
    size = cfg["vision_cfg"].get("image_size", 224)
    generator = torch.Generator().manual_seed(99)
    image = torch.randn(batch, 3, size, size, generator=generator)
    text = random_tokens(batch, cfg["text_cfg"]["context_length"], generator)
    # f32 against f64 at a ReLU input within rounding of 0 compares two signs
    # that neither side determines (see clear_relu_kinks).
    clear_relu_kinks(model, image, train_bn)
    results = []
    for precision in precisions:
        dtype = torch.float32 if precision == "f32" else torch.float64
        m = model.to(dtype)
        params = os.path.join(work, f"{name}-{precision}-params.safetensors")
        inputs = os.path.join(work, f"{name}-{precision}-inputs.safetensors")
        state = state_dict_for_clipc(m, dtype)
        bias = None
        if siglip:
            bias = torch.nn.Parameter(torch.tensor(-10.0, dtype=dtype))
            state["logit_bias"] = bias.detach().clone()
        save_file(state, params)
        save_file({"image": image.to(dtype).contiguous(), "text": text}, inputs)
        loss, grads = torch_gradients(m, image.to(dtype), text, train_bn, bias)
        out = os.path.join(work, f"{name}-{precision}-grads.safetensors")
        cmd = [os.path.join(build, "bin/clip-ref"), train, "--function", "train_step",
               "--batch", str(batch), "--params", params, "--inputs", inputs, "-o", out]
        if precision == "f64":
            cmd.append("--f64")
        start = time.time()
        subprocess.run(cmd, check=True)
        seconds = time.time() - start
        ours = load_file(out)
        missing = [k for k in grads if f"grad/{k}" not in ours]
        assert not missing, f"no gradient for {missing}"
        bound = F64_BOUND if precision == "f64" else F32_BOUND
        results.append((name, precision, "loss", rel_error(ours["result0"].numpy(), loss.numpy()),
                        1.0, bound, seconds))
        scale = max(float(t.double().norm()) for t in grads.values())
        for key, theirs in grads.items():
            a = ours[f"grad/{key}"].double().flatten()
            b = theirs.double().flatten()
            if float(b.norm()) < ZERO * scale:
                # Zero by symmetry (a bias of the attention keys shifts every
                # score of a row alike): both sides are rounding noise, so
                # the check is that ours is that small too.
                results.append((name, precision, key + " (zero)", float(a.norm()) / scale,
                                1.0, bound, seconds))
                continue
            cosine = float(a @ b / max(a.norm() * b.norm(), 1e-300))
            results.append((name, precision, key, rel_error(a.numpy(), b.numpy()), cosine,
                            bound, seconds))
        if train_bn:
            # The training step also returns BatchNorm's updated statistics.
            after = {k: v for k, v in m.state_dict().items() if "running" in k}
            assert len(after) == sum(k.startswith("update/") for k in ours), \
                "every running statistic is updated"
            worst = max(rel_error(ours[f"update/{k}"].numpy(), v.numpy())
                        for k, v in after.items())
            results.append((name, precision, f"running statistics ({len(after)})", worst,
                            1.0, bound, seconds))
        model = m.float()
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("cases", nargs="*", default=list(CASES))
    parser.add_argument("--precision", choices=["f32", "f64", "both"], default="both")
    parser.add_argument("--verbose", action="store_true", help="one line per tensor")
    args = parser.parse_args()
    precisions = ["f32", "f64"] if args.precision == "both" else [args.precision]
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    failed = False
    with tempfile.TemporaryDirectory(prefix="clip-grad-parity-") as work:
        for name in args.cases:
            rows = run_case(name, args.build, work, precisions)
            for precision in precisions:
                mine = [r for r in rows if r[1] == precision]
                bad = [r for r in mine if r[3] > r[5] or (precision == "f32" and r[4] < F32_COSINE)]
                failed |= bool(bad)
                for r in (mine if args.verbose else bad):
                    print(f"{'FAIL' if r in bad else 'ok  '} {name} {precision} {r[2]:50s} "
                          f"rel {r[3]:.3e} cos {r[4]:.8f}")
                worst = max(mine, key=lambda r: r[3])
                print(f"{'ok  ' if not bad else 'FAIL'} {name:10s} {precision} {len(mine) - 1} "
                      f"gradients + loss: worst rel error {worst[3]:.3e} ({worst[2]}), "
                      f"min cosine {min(r[4] for r in mine):.8f} (bounds: rel {worst[5]:.0e}"
                      f"{', cos %.5f' % F32_COSINE if precision == 'f32' else ''}; "
                      f"clip-ref {worst[6]:.1f} s)", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
