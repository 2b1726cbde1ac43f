#!/usr/bin/env python3
"""Parity of the reference evaluator (clip-ref) with OpenCLIP.

For each case: build OpenCLIP's model from the same JSON config as our model
file, give every parameter and buffer random values (seeded), save them with
OpenCLIP's state-dict keys, run both on the same random images and token ids,
and compare the image and text embeddings, logits_per_image and the loss.
Comparisons are in f32 (our f32-as-declared evaluation against PyTorch in
float32; bound 1e-5) and in f64 (both in double; bound 1e-9, see below). The relative
error of a tensor is ||ours - theirs||_2 / ||theirs||_2.

Cases: tiny (the small ViT, batch 4), vitb16 (one image, two captions),
rn50 (one image, BatchNorm in inference mode), rn50-train (BatchNorm with batch
statistics, and the updated running statistics, at 64x64, batch 2).

The f64 bound is 1e-9, not 1e-15: the model files declare f32, so their
constants are f32 values (LayerNorm's eps 1e-5 is 1e-5 - 2.5e-13 in f32),
which moves a LayerNorm of variance 1e-3 (the text tower's first) by ~1e-10.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
import open_clip
from open_clip.loss import ClipLoss
from safetensors.torch import load_file, save_file

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SOT, EOT = 49406, 49407

CASES = {
    # name: (config, model file, image batch, text batch, image size, bn train)
    "tiny": ("ViT-Tiny-32", "vit_tiny.mlir", 4, 4, None, False),
    "vitb16": ("ViT-B-16", "vitb16.mlir", 1, 2, None, False),
    "rn50": ("RN50", "rn50.mlir", 1, 2, None, False),
    "rn50-train": ("RN50", None, 2, 2, 64, True),
}
F32_BOUND, F64_BOUND = 1e-5, 1e-9


def build_model(config, image_size, seed):
    cfg = json.load(open(os.path.join(ROOT, "models/clip/configs", config + ".json")))
    if image_size:
        cfg["vision_cfg"]["image_size"] = image_size
    torch.manual_seed(seed)
    model = open_clip.model.CLIP(**cfg)
    # OpenCLIP initializes biases to 0 and norm gains to 1; perturb every
    # tensor so that a dropped bias or a swapped gain cannot go unnoticed.
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name == "logit_scale":
                p.fill_(math.log(1 / 0.07) + 0.1)
            else:
                p.add_(torch.randn_like(p) * 0.02)
        for name, b in model.named_buffers():
            if name.endswith("running_mean"):
                b.copy_(torch.randn_like(b) * 0.1)
            elif name.endswith("running_var"):
                b.copy_(torch.rand_like(b) * 0.5 + 0.75)
    return model, cfg


def clear_relu_kinks(model, image, train_bn, margin=1e-4):
    """Moves every ReLU input of the image tower at least `margin` from 0.

    ReLU's derivative jumps at 0, so an f32 gradient is only comparable with
    an f64 one where both see the same sign. RN50 at 64x64, batch 2 has 1.8M
    ReLU inputs; some lie within f32 rounding of 0 (the smallest is 4e-7
    from 0; one at 1.1e-6 comes out -6.9e-7 in f32 under OpenBLAS's AVX-512
    kernels and +5.6e-7 under its AVX2 ones, which flips one element's
    gradient and moves layer1.2.bn2.bias's by 1.3e-2). Every such ReLU here
    follows a BatchNorm (plus the residual for a block's last), so shifting
    that channel's BatchNorm bias moves the channel's ReLU inputs by exactly
    the shift; the ReLUs are cleared in forward order (each shift changes
    the layers after it), in f64 on the f32 parameters clip-ref reads.
    Returns (channels shifted, smallest |ReLU input| before, after)."""
    import copy

    def forward(clear):
        """Runs the f64 tower; with `clear`, each ReLU's pre-hook shifts its
        input channels as the bias shift will and records the shift."""
        probe = copy.deepcopy(model).double().train(train_bn)
        shifts, smallest = [], math.inf

        def hook(module, args, name):
            nonlocal smallest
            x = args[0]
            if clear:
                flat = x.detach().transpose(0, 1).reshape(x.shape[1], -1)
                delta = torch.zeros(x.shape[1], dtype=x.dtype)
                for c in range(x.shape[1]):
                    step = 0
                    while float((flat[c] + delta[c]).abs().min()) < 1.5 * margin:
                        step += 1
                        delta[c] = 2 * margin * ((step + 1) // 2) * (1 if step % 2 else -1)
                shifts.append((name, delta))
                x = x + delta.view(1, -1, 1, 1)
            smallest = min(smallest, float(x.abs().min()))
            return (x,)

        for name, module in probe.visual.named_modules():
            if isinstance(module, torch.nn.ReLU):
                module.register_forward_pre_hook(lambda m, a, name=name: hook(m, a, name))
        with torch.no_grad():
            probe.visual(image.double())
        return shifts, smallest

    before = forward(clear=False)[1]
    shifts, _ = forward(clear=True)
    shifted = 0
    with torch.no_grad():
        for name, delta in shifts:
            # actK reads bnK's output (bn3's plus the identity for a block's act3).
            assert name.rsplit(".", 1)[-1] in ("act1", "act2", "act3"), name
            bn = model.visual.get_submodule(name[:-len("act1")] + "bn" + name[-1])
            bn.bias += delta.to(bn.bias.dtype)
            shifted += int((delta != 0).sum())
    return shifted, before, forward(clear=False)[1]


def state_dict_for_clipc(model, dtype):
    # num_batches_tracked only matters for momentum=None; it is not a model input.
    return {k: v.detach().to(dtype).contiguous()
            for k, v in model.state_dict().items()
            if not k.endswith("num_batches_tracked")}


def random_tokens(batch, context, generator):
    ids = torch.zeros(batch, context, dtype=torch.int64)
    for b in range(batch):
        length = int(torch.randint(3, context - 1, (1,), generator=generator))
        ids[b, 0] = SOT
        ids[b, 1:length] = torch.randint(1, 49405, (length - 1,), generator=generator)
        ids[b, length] = EOT
    return ids


def rel_error(ours, theirs):
    ours = np.asarray(ours, dtype=np.float64)
    theirs = np.asarray(theirs, dtype=np.float64)
    assert ours.shape == theirs.shape, (ours.shape, theirs.shape)
    return float(np.linalg.norm(ours - theirs) / max(np.linalg.norm(theirs), 1e-300))


def run_clip_ref(build, model_file, function, batch, params, inputs, out, args=(),
                 f64=False, train_bn=False, stats=None):
    cmd = [os.path.join(build, "bin/clip-ref"), model_file, "--function", function,
           "--batch", str(batch), "--params", params, "--inputs", inputs, "-o", out]
    for a in args:
        cmd += ["--arg", a]
    if f64:
        cmd.append("--f64")
    if train_bn:
        cmd.append("--train-batch-norm")
    if stats:
        cmd += ["--stats-out", stats]
    subprocess.run(cmd, check=True)
    return load_file(out)


def torch_reference(model, image, text, train_bn):
    model.train(train_bn)
    with torch.no_grad():
        image_features = model.encode_image(image)
        text_features = model.encode_text(text)
        image_n = torch.nn.functional.normalize(image_features, dim=-1)
        text_n = torch.nn.functional.normalize(text_features, dim=-1)
        scale = model.logit_scale.exp()
        logits = scale * image_n @ text_n.T
        loss = None
        if image.shape[0] == text.shape[0]:
            loss = ClipLoss()(image_n, text_n, scale)
    return {"image_features": image_features, "text_features": text_features,
            "logits_per_image": logits, "loss": loss}


def run_case(name, build, work, precisions):
    config, model_file, image_batch, text_batch, image_size, train_bn = CASES[name]
    if model_file is None:
        model_file = os.path.join(work, f"{name}.mlir")
        subprocess.run([os.path.join(build, "bin/clip-modelgen"),
                        os.path.join(ROOT, "models/clip/configs", config + ".json"),
                        "--image-size", str(image_size), "-o", model_file], check=True)
    else:
        model_file = os.path.join(ROOT, "models/clip", model_file)

    model, cfg = build_model(config, image_size, seed=1234)
    size = cfg["vision_cfg"].get("image_size", 224)
    context = cfg["text_cfg"]["context_length"]
    generator = torch.Generator().manual_seed(99)
    image = torch.randn(image_batch, 3, size, size, generator=generator)
    text = random_tokens(text_batch, context, generator)
    results = []
    for precision in precisions:
        dtype = torch.float32 if precision == "f32" else torch.float64
        m = model.to(dtype)
        params = os.path.join(work, f"{name}-{precision}-params.safetensors")
        inputs = os.path.join(work, f"{name}-{precision}-inputs.safetensors")
        save_file(state_dict_for_clipc(m, dtype), params)
        save_file({"image": image.to(dtype).contiguous(), "text": text}, inputs)
        # Snapshot the running statistics before the training-mode forward.
        before = {k: v.clone() for k, v in m.state_dict().items() if "running" in k}
        ref = torch_reference(m, image.to(dtype), text, train_bn)
        f64 = precision == "f64"
        start = time.time()
        ours = {}
        if image_batch == text_batch:
            stats = os.path.join(work, f"{name}-{precision}-stats.safetensors")
            out = run_clip_ref(build, model_file, "forward", image_batch, params, inputs,
                               os.path.join(work, f"{name}-{precision}-out.safetensors"),
                               f64=f64, train_bn=train_bn, stats=stats if train_bn else None)
            ours = {"loss": out["result0"], "logits_per_image": out["result1"],
                    "image_features": out["result2"], "text_features": out["result3"]}
        else:
            img = run_clip_ref(build, model_file, "encode_image", image_batch, params, inputs,
                               os.path.join(work, f"{name}-{precision}-img.safetensors"),
                               args=["image"], f64=f64)
            txt = run_clip_ref(build, model_file, "encode_text", text_batch, params, inputs,
                               os.path.join(work, f"{name}-{precision}-txt.safetensors"),
                               args=["text"], f64=f64)
            ours["image_features"] = img["result0"]
            ours["text_features"] = txt["result0"]
            # logits_per_image from our embeddings by the model's formula in
            # double: this checks the towers; the loss block is checked by
            # the cases with equal batches.
            i = ours["image_features"].double()
            t = ours["text_features"].double()
            i = i / i.norm(dim=-1, keepdim=True)
            t = t / t.norm(dim=-1, keepdim=True)
            ours["logits_per_image"] = model.logit_scale.double().exp().detach() * i @ t.T
        seconds = time.time() - start
        bound = F64_BOUND if f64 else F32_BOUND
        for key in ["image_features", "text_features", "logits_per_image", "loss"]:
            if ref.get(key) is None or key not in ours:
                continue
            err = rel_error(ours[key].numpy(), ref[key].detach().numpy())
            results.append((name, precision, key, err, bound, seconds))
        if train_bn:
            stats = load_file(os.path.join(work, f"{name}-{precision}-stats.safetensors"))
            after = {k: v for k, v in m.state_dict().items() if "running" in k}
            # Our run starts from the same "before" values; compare updates.
            worst = 0.0
            checked = 0
            for key, value in stats.items():
                worst = max(worst, rel_error(value.numpy(), after[key].numpy()))
                checked += 1
            assert checked == len(after), f"{checked} of {len(after)} running stats updated"
            assert any((after[k] != before[k]).any() for k in after), "torch did not update"
            results.append((name, precision, f"running stats ({checked})", worst, bound, seconds))
        model = m.float()
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("cases", nargs="*", default=list(CASES))
    parser.add_argument("--precision", choices=["f32", "f64", "both"], default="both")
    args = parser.parse_args()
    precisions = ["f32", "f64"] if args.precision == "both" else [args.precision]
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    failed = False
    with tempfile.TemporaryDirectory(prefix="clip-parity-") as work:
        for name in args.cases:
            for case, precision, key, err, bound, seconds in run_case(name, args.build, work,
                                                                      precisions):
                ok = err <= bound
                failed |= not ok
                print(f"{'ok  ' if ok else 'FAIL'} {case:10s} {precision} {key:26s} "
                      f"rel error {err:.3e} (bound {bound:.0e}; clip-ref {seconds:.1f} s)",
                      flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
