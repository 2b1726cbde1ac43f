#!/usr/bin/env python3
"""Locked towers (LiT) against OpenCLIP, and what training does with them.

1. Which parameters stay trainable: for the tiny ViT (4 + 2 layers) and
   every unlocked-group count of each tower, OpenCLIP's
   model.lock_image_tower(unlocked_groups=N) / lock_text_tower(
   unlocked_layers=N) leaves requires_grad on exactly the parameters that
   clip-lock-towers leaves without `frozen` (clip-param-summary lists them).
2. The training function has no gradient for a locked parameter
   (clipc --emit mlir: no `clip.gradient` result names one).
3. clip-run train with --lock-image for 3 steps: every image-tower
   parameter in the checkpoint equals its initial value bit for bit (no
   update, no weight decay), every other one moved; with
   --lock-image-unlocked-groups 1 only visual.proj moved in the image tower.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
from safetensors.numpy import load_file

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "test/e2e"))
from support import Checks, run  # noqa: E402
MODEL = os.path.join(ROOT, "models/clip/vit_tiny.mlir")


def ours_trainable(build, options):
    out = run([os.path.join(build, "bin/clip-opt"), f"--clip-lock-towers={options}",
               "--clip-param-summary=list=true", MODEL, "-o", "/dev/null"])
    names = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[1].startswith("tensor<") and "frozen" not in parts[2:]:
            names.add(parts[0])
    return names


def openclip_trainable(tower, unlocked):
    import json
    import open_clip
    cfg = json.load(open(os.path.join(ROOT, "models/clip/configs/ViT-Tiny-32.json")))
    model = open_clip.model.CLIP(**cfg)
    if tower == "image":
        model.lock_image_tower(unlocked_groups=unlocked)
    else:
        model.lock_text_tower(unlocked_layers=unlocked)
    return {n for n, p in model.named_parameters() if p.requires_grad}


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    args = parser.parse_args()
    check = Checks()

    # 1. The groups, against OpenCLIP.
    for tower, groups in [("image", 4 + 2), ("text", 2 + 2)]:
        for unlocked in range(groups + 1):
            option = (f"lock-{tower}=1 {tower}-unlocked-groups={unlocked}")
            ours, theirs = ours_trainable(args.build, option), openclip_trainable(tower, unlocked)
            check(ours == theirs,
                  f"lock {tower}, {unlocked} unlocked: {len(ours)} trainable, as OpenCLIP's"
                  + ("" if ours == theirs else f" (only ours {sorted(ours - theirs)[:4]}, "
                                               f"only OpenCLIP's {sorted(theirs - ours)[:4]})"))

    with tempfile.TemporaryDirectory(prefix="clip-lock-") as work:
        # 2. No gradient for a locked parameter.
        mlir = run([os.path.join(args.build, "bin/clipc"), MODEL, "--batch", "4", "--lock-image",
                    "--emit", "mlir"])
        grads = set(re.findall(r'clip\.gradient = "([^"]+)"', mlir))
        check(grads and not any(g.startswith("visual.") for g in grads),
              f"--lock-image: {len(grads)} gradients, none of the image tower")

        # 3. Training leaves the locked parameters as they were.
        init = os.path.join(work, "init.safetensors")
        for label, flags, moving in [
                ("--lock-image", ["--lock-image"], set()),
                ("--lock-image --lock-image-unlocked-groups 1",
                 ["--lock-image", "--lock-image-unlocked-groups", "1"], {"visual.proj"})]:
            lib = os.path.join(work, "locked.so")
            run([os.path.join(args.build, "bin/clipc"), MODEL, "--batch", "4", *flags, "-o", lib])
            run([os.path.join(args.build, "bin/clip-run"), "step", lib, "--steps", "0",
                 "--save-params", init])
            ckpt = os.path.join(work, "ckpt.safetensors")
            run([os.path.join(args.build, "bin/clip-run"), "train", lib, "--init", init,
                 "--steps", "3", "--lr", "1e-3", "--wd", "0.1", "--checkpoint", ckpt, "--no-eval"])
            before, after = load_file(init), load_file(ckpt)
            frozen_moved = [k for k in before if k.startswith("visual.") and k not in moving
                            and not np.array_equal(before[k], after[k])]
            others_still = [k for k in before if (not k.startswith("visual.") or k in moving)
                            and np.array_equal(before[k], after[k])]
            moments = [k for k in after if k.startswith("optimizer/") and "visual." in k
                       and not any(m in k for m in moving)]
            check(not frozen_moved and not others_still and not moments,
                  f"train {label}: the locked image parameters are bit for bit the initial ones "
                  f"({len([k for k in before if k.startswith('visual.')]) - len(moving)}), the "
                  f"other {len([k for k in before if not k.startswith('visual.') or k in moving])} "
                  f"moved, no optimizer state for the locked"
                  + (f"; moved: {frozen_moved[:3]} still: {others_still[:3]} "
                     f"moments: {moments[:3]}" if frozen_moved or others_still or moments else ""))
    check.finish()


if __name__ == "__main__":
    main()
