#!/usr/bin/env python3
"""Patch dropout (FLIP) against OpenCLIP's PatchDropout, given the same kept patches.

The tiny ViT's config with vision_cfg.patch_dropout = 0.5 gives OpenCLIP a
PatchDropout(0.5) after the positional embedding (active in training
mode); clip-modelgen --patch-dropout 0.5 gives our model @encode_image_train
(image, keep). OpenCLIP draws the kept patches with torch.randn inside its
forward; here its forward is given the indices instead (its own code
otherwise: class token excluded, x[batch_indices, keep], class token
concatenated back), and clip-ref runs ours on the same indices, images and
perturbed parameters: the image features must agree (f32 1e-5, f64 1e-9,
the bounds of openclip-parity). Also: @encode_image (inference) keeps every
patch and equals OpenCLIP in eval mode; the compiled training step takes
the kept indices as input `patch_keep`, and clip-run train feeds it (2
steps run).
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
from safetensors.torch import load_file, save_file

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "test/e2e"))
from support import Checks, run  # noqa: E402
CONFIG = os.path.join(ROOT, "models/clip/configs/ViT-Tiny-32.json")


def rel_error(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    args = parser.parse_args()
    import open_clip
    from open_clip.transformer import PatchDropout
    check = Checks()

    cfg = json.load(open(CONFIG))
    cfg["vision_cfg"]["patch_dropout"] = 0.5
    torch.manual_seed(0)
    model = open_clip.model.CLIP(**cfg)
    assert isinstance(model.visual.patch_dropout, PatchDropout)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name == "logit_scale":
                p.fill_(math.log(1 / 0.07))
            else:
                p.add_(torch.randn_like(p) * 0.02)
    grid = cfg["vision_cfg"]["image_size"] // cfg["vision_cfg"]["patch_size"]
    patches = grid * grid
    kept = max(1, int(patches * 0.5))  # OpenCLIP's num_patches_keep
    batch = 3
    generator = torch.Generator().manual_seed(1)
    image = torch.randn(batch, 3, grid * 4, grid * 4, generator=generator)
    keep = torch.stack([torch.randperm(patches, generator=generator)[:kept].sort().values
                        for _ in range(batch)])

    def given_forward(self, x):
        # OpenCLIP's PatchDropout.forward with the kept indices given.
        if not self.training:
            return x
        if self.exclude_first_token:
            cls_tokens, x = x[:, :1], x[:, 1:]
        batch_indices = torch.arange(x.size(0))[..., None]
        x = x[batch_indices, keep]
        if self.exclude_first_token:
            x = torch.cat((cls_tokens, x), dim=1)
        return x

    model.visual.patch_dropout.forward = given_forward.__get__(model.visual.patch_dropout)

    with tempfile.TemporaryDirectory(prefix="clip-patch-dropout-") as work:
        model_file = os.path.join(work, "pd.mlir")
        run([os.path.join(args.build, "bin/clip-modelgen"), CONFIG, "--patch-dropout", "0.5",
             "-o", model_file])
        for precision, dtype, bound in [("f32", torch.float32, 1e-5),
                                        ("f64", torch.float64, 1e-9)]:
            m = model.to(dtype)
            params = os.path.join(work, f"params-{precision}.safetensors")
            save_file({k: v.detach().to(dtype).contiguous() for k, v in m.state_dict().items()},
                      params)
            inputs = os.path.join(work, f"inputs-{precision}.safetensors")
            save_file({"image": image.to(dtype).contiguous(), "keep": keep.contiguous()}, inputs)
            extra = ["--f64"] if precision == "f64" else []
            for function, train, fn_args in [("encode_image_train", True, ["image", "keep"]),
                                             ("encode_image", False, ["image"])]:
                out = os.path.join(work, f"{function}-{precision}.safetensors")
                cmd = [os.path.join(args.build, "bin/clip-ref"), model_file, "--function",
                       function, "--batch", str(batch), "--params", params, "--inputs", inputs,
                       "-o", out, *extra]
                for a in fn_args:
                    cmd += ["--arg", a]
                run(cmd)
                m.train(train)
                with torch.no_grad():
                    ref = m.encode_image(image.to(dtype))
                err = rel_error(load_file(out)["result0"], ref)
                check(err <= bound,
                      f"{function} ({'kept ' + str(kept) + ' of ' + str(patches) if train else 'all patches'})"
                      f" {precision}: rel error {err:.2e} (bound {bound:.0e})")
        model.float()

        # The compiled step takes the kept patches; clip-run train draws them.
        lib = os.path.join(work, "pd.so")
        run([os.path.join(args.build, "bin/clipc"), model_file, "--batch", "4", "-o", lib])
        info = run([os.path.join(args.build, "bin/clip-run"), "info", lib])
        check(f"input patch_keep i64 [4, {kept}]" in info,
              f"@train_step's input patch_keep i64 [4, {kept}]")
        out = run([os.path.join(args.build, "bin/clip-run"), "train", lib, "--steps", "2",
                   "--no-eval"])
        check("step 2/2" in out, "clip-run train runs 2 steps with patch dropout")
    check.finish()


if __name__ == "__main__":
    main()
