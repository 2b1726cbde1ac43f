#!/usr/bin/env python3
"""clip-run classify, eval --image-folder and search on a Hugging Face checkpoint.

A small CLIPModel (transformers, random weights, save_pretrained) is compiled
by clipc straight from its config.json, and its folder is given to --params
as it is. Images are made here (PNG and JPEG, several sizes) in a labelled
folder (one sub-folder a class). The reference is transformers' own model on
OpenCLIP's preprocessing (HF's CLIPImageProcessorPil, equal to OpenCLIP's
transform and to ours) and OpenCLIP's tokens, with CLIP's zero-shot rule in
float64: class embedding = normalized mean of the normalized prompt
embeddings; probabilities = softmax(exp(logit_scale) * cosine).

Checks: classify's printed probabilities (top 3 of 4 labels, both template
sets) within 0.02 percentage points of the reference; eval --image-folder's
top-1/top-5 equal the reference's; embed + search by text and by image give
the reference's order and cosine scores (1e-4); bad input (one label, a
template without {}, an empty class folder, an index of another width, a
missing image) is one clear error each, exit status 1.
"""
import argparse
import math
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import torch
from PIL import Image

from support import Checks, run_process as run

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LABELS = ["red square", "green circle", "blue stripes", "a dog"]


def make_folder(work, rng):
    """classes/<name>/*.png|jpg, shapes of one colour per class."""
    root = os.path.join(work, "classes")
    paths, labels = [], []
    colours = {"red_square": (220, 30, 30), "green_circle": (30, 200, 40),
               "blue_stripes": (30, 40, 220)}
    for c, (name, colour) in enumerate(sorted(colours.items())):
        os.makedirs(os.path.join(root, name))
        for i in range(3):
            h, w = [(96, 128), (150, 150), (200, 90)][i]
            img = rng.integers(0, 60, (h, w, 3)).astype(np.uint8)
            y, x = np.mgrid[0:h, 0:w]
            if "circle" in name:
                mask = (y - h / 2) ** 2 + (x - w / 2) ** 2 < (min(h, w) / 3) ** 2
            elif "stripes" in name:
                mask = (x // 8) % 2 == 0
            else:
                mask = (abs(y - h / 2) < h / 4) & (abs(x - w / 2) < w / 4)
            img[mask] = colour
            ext = "png" if i < 2 else "jpg"
            path = os.path.join(root, name, f"{i}.{ext}")
            Image.fromarray(img).save(path, quality=95) if ext == "jpg" else \
                Image.fromarray(img).save(path)
            paths.append(path)
            labels.append(c)
    return root, paths, labels


class Reference:
    """transformers' CLIPModel with CLIP's zero-shot rule, in float64."""

    def __init__(self, folder):
        from transformers import CLIPModel
        from transformers.models.clip.image_processing_pil_clip import CLIPImageProcessorPil
        self.model = CLIPModel.from_pretrained(folder, dtype=torch.float32).eval()
        size = self.model.config.vision_config.image_size
        self.processor = CLIPImageProcessorPil(size={"shortest_edge": size},
                                               crop_size={"height": size, "width": size})
        self.scale = min(100.0, math.exp(self.model.logit_scale.item()))

    def images(self, paths):
        pixels = self.processor(images=[Image.open(p).convert("RGB") for p in paths],
                                return_tensors="pt")["pixel_values"]
        with torch.no_grad():
            f = self.model.visual_projection(self.model.vision_model(pixel_values=pixels).pooler_output)
        f = f.double()
        return f / f.norm(dim=-1, keepdim=True)

    def texts(self, texts):
        import open_clip
        ids = open_clip.tokenize(texts)
        with torch.no_grad():
            f = self.model.text_projection(self.model.text_model(input_ids=ids).pooler_output)
        f = f.double()
        return f / f.norm(dim=-1, keepdim=True)

    def classes(self, names, templates):
        rows = []
        for name in names:
            e = self.texts([t.replace("{}", name) for t in templates]).mean(0)
            rows.append(e / e.norm())
        return torch.stack(rows)


def imagenet_templates():
    from open_clip.zero_shot_metadata import OPENAI_IMAGENET_TEMPLATES
    return [t("{}") for t in OPENAI_IMAGENET_TEMPLATES]


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    args = parser.parse_args()
    clip_run = os.path.join(args.build, "bin/clip-run")
    check = Checks()

    from transformers import CLIPConfig, CLIPModel
    with tempfile.TemporaryDirectory(prefix="clip-commands-") as work:
        torch.manual_seed(0)
        model = CLIPModel(CLIPConfig(
            text_config=dict(hidden_size=128, intermediate_size=512, num_attention_heads=2,
                             num_hidden_layers=2, hidden_act="gelu"),
            vision_config=dict(hidden_size=192, intermediate_size=768, num_attention_heads=3,
                               num_hidden_layers=3, image_size=112, patch_size=14, hidden_act="gelu"),
            projection_dim=64))
        with torch.no_grad():
            for p in model.parameters():
                p.add_(torch.randn_like(p) * 0.02)
        folder = os.path.join(work, "hf-small")
        model.save_pretrained(folder)
        so = os.path.join(work, "small.so")
        run([os.path.join(args.build, "bin/clipc"), os.path.join(folder, "config.json"),
             "--batch", "4", "-o", so])
        ref = Reference(folder)
        rng = np.random.default_rng(11)
        classes_dir, paths, labels = make_folder(work, rng)
        names = sorted(os.listdir(classes_dir))
        class_names = [n.replace("_", " ") for n in names]

        # The 80 templates are OpenAI's, in OpenCLIP's order.
        templates_file = os.path.join(work, "imagenet.txt")
        with open(templates_file, "w") as f:
            f.write("\n".join(imagenet_templates()) + "\n")

        # classify: top 3 of 4 labels with probabilities.
        image_emb = ref.images(paths)
        for spec, templates in [("simple", ["a photo of a {}."]),
                                ("imagenet", imagenet_templates())]:
            out = run([clip_run, "classify", so, "--params", folder, *paths[:4],
                       "--labels", ",".join(LABELS), "--templates", spec, "-k", "3"]).stdout
            probs = torch.softmax(ref.scale * image_emb[:4] @ ref.classes(LABELS, templates).T, -1)
            worst, order_ok = 0.0, True
            for i, line in enumerate(out.strip().split("\n")):
                path, rest = line.split(": ", 1)
                got = [(m.group(1), float(m.group(2)))
                       for m in re.finditer(r"([^,]+?) ([0-9.]+)%(?:, |$)", rest)]
                expect = sorted(range(len(LABELS)), key=lambda c: -float(probs[i, c]))[:3]
                order_ok &= path == paths[i] and [g[0] for g in got] == [LABELS[c] for c in expect]
                for (label, p), c in zip(got, expect):
                    worst = max(worst, abs(p - 100 * float(probs[i, c])))
            check(order_ok and worst <= 0.02,
                  f"classify --templates {spec}: top-3 labels in the reference's order, "
                  f"probabilities within {worst:.4f} points (bound 0.02)")

        # eval --image-folder: top-1 and top-5 over the class folders.
        out = run([clip_run, "eval", so, "--params", folder, "--image-folder", classes_dir,
                   "--templates", "imagenet"]).stdout
        m = re.search(r"top-1 ([0-9.]+)%\s+top-5 ([0-9.]+)%", out)
        scores = image_emb @ ref.classes(class_names, imagenet_templates()).T
        top1 = 100 * np.mean([int(scores[i].argmax()) == labels[i] for i in range(len(paths))])
        sorted_scores = scores.sort(-1, descending=True).values
        margin = float((sorted_scores[:, 0] - sorted_scores[:, 1]).min())
        check(m is not None and abs(float(m.group(1)) - top1) < 0.01
              and abs(float(m.group(2)) - 100.0) < 0.01,
              f"eval --image-folder: top-1 {m.group(1) if m else '?'}% (reference {top1:.2f}%), "
              f"top-5 {m.group(2) if m else '?'}% of {len(paths)} images, 3 classes "
              f"(smallest top-1 margin {margin:.1e})")

        # embed + search, by text and by image.
        index = os.path.join(work, "index.safetensors")
        run([clip_run, "embed", so, "--params", folder, "--images", classes_dir + "/red_square",
             "--out", index])
        indexed = sorted(os.path.join(classes_dir, "red_square", f)
                         for f in os.listdir(os.path.join(classes_dir, "red_square")))
        rows = ref.images(indexed)
        for flag, value, query in [("--text", "a red square", lambda: ref.texts(["a red square"])[0]),
                                   ("--image", paths[4], lambda: ref.images([paths[4]])[0])]:
            out = run([clip_run, "search", so, "--params", folder, "--index", index, flag, value,
                       "-k", "3"]).stdout
            got = [line.split() for line in out.strip().split("\n")]
            sims = rows @ query()
            expect = sorted(range(len(indexed)), key=lambda r: -float(sims[r]))
            ok = [g[2] for g in got] == [indexed[r] for r in expect] and all(
                abs(float(g[1]) - float(sims[r])) <= 1e-4 for g, r in zip(got, expect))
            check(ok, f"search {flag}: {len(got)} results in the reference's order, cosines "
                      f"within 1e-4")

        # Errors: one clear line each, exit status 1.
        empty = os.path.join(work, "bad-folder")
        os.makedirs(os.path.join(empty, "a"))
        os.makedirs(os.path.join(empty, "b"))
        Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(os.path.join(empty, "a", "x.png"))
        no_brace = os.path.join(work, "templates.txt")
        with open(no_brace, "w") as f:
            f.write("a photo of a {}.\na photo without the label\n")
        other = os.path.join(work, "other.safetensors")
        from safetensors.numpy import save_file
        save_file({"embeddings": np.zeros((2, 32), np.float32)}, other)
        for label, cmd, needle in [
                ("one label", ["classify", so, "--params", folder, paths[0], "--labels", "cat"],
                 "at least two labels"),
                ("template without {}", ["classify", so, "--params", folder, paths[0],
                                          "--labels", "a,b", "--templates", no_brace],
                 "templates.txt:2: a template needs `{}`"),
                ("empty class folder", ["eval", so, "--params", folder, "--image-folder", empty],
                 "class folder `b` holds no images"),
                ("index of another width", ["search", so, "--params", folder, "--index", other,
                                            "--text", "x"], "rows of dim 32"),
                ("missing image", ["classify", so, "--params", folder, "nowhere.png",
                                   "--labels", "a,b"], "nowhere.png: no such image file")]:
            proc = run([clip_run, *cmd], expect_ok=False)
            check(proc.returncode == 1 and needle in proc.stderr and proc.stderr.count("\n") == 1,
                  f"error, {label}: {proc.stderr.strip()}")
    check.finish()


if __name__ == "__main__":
    main()
