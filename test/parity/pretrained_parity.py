#!/usr/bin/env python3
"""Pretrained checkpoints as users have them, against the libraries that wrote them.

Nothing can be downloaded here, so every checkpoint is made with the real
library from random weights and saved the way the hub stores it.

Hugging Face cases (transformers' CLIPModel, saved with save_pretrained):
  hf-vitb32   ViT-B/32 towers, GELU (LAION's OpenCLIP-converted models)
  hf-vitb16   ViT-B/16 towers, QuickGELU (OpenAI's; CLIPConfig's default),
              saved sharded (model.safetensors.index.json + 7 shards)
  hf-small    any width/depth: image 112, patch 14, widths 192/128, 3 and 2
              layers, projection 64, QuickGELU, saved in float16
For each: clip-modelgen reads its config.json, clip-run convert reads its
folder (q/k/v merged, projections transposed, position ids dropped), and
clip-ref's image and text embeddings must equal HF's own (vision_model ->
visual_projection, text_model -> text_projection) on images and captions
put through HF's own CLIPProcessor (its tokenizer built from the same BPE
file OpenCLIP ships), relative error <= 1e-5 in f32.

Preprocessing differences, measured and printed (not asserted beyond what
holds): HF's CLIPProcessor pads token rows with <|endoftext|> where OpenCLIP
pads with 0 (no effect: the text tower is causal and pools at the first
EOT); HF's tokenizer without ftfy leaves HTML entities and some unicode as
they are where OpenCLIP (and ours) fix and unescape them; HF's default image
processor (torchvision backend) differs from OpenCLIP's PIL transform by one
8-bit step on a fraction of a percent of the values of non-square images,
while its PIL backend (CLIPImageProcessorPil) equals OpenCLIP's exactly.
Ours reproduces OpenCLIP's (preprocess-parity).

OpenCLIP case (open-clip-bin): torch.save(model.state_dict()) of the tiny
ViT -> clip-run convert -> clip-ref equals OpenCLIP's encode_image and
encode_text (1e-5), and the converted tensors equal the state dict bit for
bit; so does an OpenCLIP training checkpoint ({"epoch", "state_dict" with
DDP's "module." prefix}).

Refusals: a torch.save-shaped archive whose pickle calls os.system, one that
calls builtins.eval through STACK_GLOBAL (protocol 4), and a truncated .bin
are refused with a message naming the problem, and the payload never runs.
"""
import argparse
import gzip
import json
import math
import os
import pickle
import subprocess
import sys
import tempfile
import time
import zipfile

import numpy as np
import torch
from PIL import Image
from safetensors.torch import load_file, save_file

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "test/e2e"))
from support import run_process as run  # noqa: E402
BOUND = 1e-5

HF_CASES = {
    # name: (CLIPConfig kwargs, save kwargs, dtype saved)
    "hf-vitb32": (dict(text_config=dict(hidden_act="gelu"),
                       vision_config=dict(hidden_act="gelu", patch_size=32)), {}, torch.float32),
    "hf-vitb16": (dict(vision_config=dict(patch_size=16)), dict(max_shard_size="100MB"),
                  torch.float32),
    "hf-small": (dict(text_config=dict(hidden_size=128, intermediate_size=512,
                                       num_attention_heads=2, num_hidden_layers=2),
                      vision_config=dict(hidden_size=192, intermediate_size=768,
                                         num_attention_heads=3, num_hidden_layers=3,
                                         image_size=112, patch_size=14),
                      projection_dim=64), {}, torch.float16),
}
CAPTIONS = ["a photo of a cat", "Two DOGS playing in the snow!",
            "a diagram of a transformer block, drawn by hand"]
TRICKY = "naïve café — “quotes” &amp; stuff"


def rel_error(ours, theirs):
    ours = np.asarray(ours, dtype=np.float64)
    theirs = np.asarray(theirs, dtype=np.float64)
    assert ours.shape == theirs.shape, (ours.shape, theirs.shape)
    return float(np.linalg.norm(ours - theirs) / max(np.linalg.norm(theirs), 1e-300))


def tool(build, name):
    return os.path.join(build, "bin", name)


def hf_processor(work):
    """CLIPProcessor with a tokenizer built from OpenCLIP's BPE file (the hub's
    vocab.json/merges.txt are that file's vocabulary, as OpenCLIP builds it)."""
    from open_clip.tokenizer import bytes_to_unicode
    from transformers import CLIPImageProcessor, CLIPProcessor, CLIPTokenizer
    bpe = os.path.join(ROOT, "third_party/clip/bpe_simple_vocab_16e6.txt.gz")
    merges = gzip.open(bpe).read().decode("utf-8").split("\n")[1:49152 - 256 - 2 + 1]
    vocab = list(bytes_to_unicode().values())
    vocab = vocab + [v + "</w>" for v in vocab]
    vocab += ["".join(m.split()) for m in merges] + ["<|startoftext|>", "<|endoftext|>"]
    folder = os.path.join(work, "tokenizer")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "vocab.json"), "w") as f:
        json.dump({t: i for i, t in enumerate(vocab)}, f)
    with open(os.path.join(folder, "merges.txt"), "w") as f:
        f.write("#version: 0.2\n" + "\n".join(merges) + "\n")
    tokenizer = CLIPTokenizer(os.path.join(folder, "vocab.json"),
                              os.path.join(folder, "merges.txt"))
    return CLIPProcessor(image_processor=CLIPImageProcessor(), tokenizer=tokenizer)


def make_images(work, count, seed):
    """Smooth gradients with noise and edges, at several sizes and aspects."""
    rng = np.random.default_rng(seed)
    paths = []
    for i, (h, w) in enumerate([(300, 400), (256, 256), (97, 513), (640, 480)][:count]):
        y, x = np.mgrid[0:h, 0:w].astype(np.float64)
        planes = [127 + 100 * np.sin(x / (w / (2 + c)) + y / (h / (1.5 + c)))
                  + rng.normal(0, 15, (h, w)) for c in range(3)]
        img = np.clip(np.stack(planes, -1), 0, 255).astype(np.uint8)
        img[h // 3:h // 2, w // 4:w // 2] = rng.integers(0, 255, 3)
        path = os.path.join(work, f"image{i}.png")
        Image.fromarray(img).save(path)
        paths.append(path)
    return paths


def perturb(model, seed):
    """Every tensor moved from its init (biases 0, gains 1 would hide a
    dropped bias or a swapped gain)."""
    torch.manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name == "logit_scale":
                p.fill_(math.log(1 / 0.07) + 0.1)
            else:
                p.add_(torch.randn_like(p) * 0.02)


def preprocessing_differences(processor, images, work, build):
    """What HF's processor does differently from OpenCLIP's (and ours)."""
    import open_clip
    from transformers.models.clip.image_processing_pil_clip import CLIPImageProcessorPil
    pil = CLIPImageProcessorPil()
    ours_transform = open_clip.image_transform(224, is_train=False)
    worst_tv = frac_tv = worst_pil = 0.0
    for path in images:
        im = Image.open(path)
        tv = processor.image_processor(images=im, return_tensors="np")["pixel_values"][0]
        pp = pil(images=im, return_tensors="np")["pixel_values"][0]
        oc = ours_transform(im).numpy()
        worst_tv = max(worst_tv, float(np.abs(tv - oc).max()))
        frac_tv = max(frac_tv, float((np.abs(tv - oc) > 1e-4).mean()))
        worst_pil = max(worst_pil, float(np.abs(pp - oc).max()))
    print(f"info image preprocessing vs OpenCLIP's (= ours): HF default (torchvision) "
          f"max {worst_tv:.4f} on {100 * frac_tv:.2f}% of values at most; HF PIL backend "
          f"max {worst_pil:.1e}")
    assert worst_pil < 1e-6, "HF's PIL backend no longer equals OpenCLIP's transform"

    # Tokens: ours (clip-tokenize) against HF's, padding aside.
    texts = CAPTIONS + [TRICKY]
    path = os.path.join(work, "captions.txt")
    with open(path, "w") as f:
        f.write("\n".join(texts) + "\n")
    out = run([tool(build, "clip-tokenize"), path]).stdout.split("\n")
    ours = [[int(t) for t in line.split()] for line in out if line.strip()]
    hf = processor.tokenizer(texts, padding="max_length", max_length=77)["input_ids"]
    same = []
    for o, h in zip(ours, hf):
        o = [t for t in o if t != 0]
        end = h.index(49407) + 1
        same.append(o == h[:end])
    print(f"info tokens: ours equal HF's on {sum(same[:len(CAPTIONS)])}/{len(CAPTIONS)} plain "
          f"captions; on `{TRICKY}`: {'equal' if same[-1] else 'differ (HF: no ftfy/unescape)'}")
    assert all(same[:len(CAPTIONS)]), "tokens differ from HF's on plain captions"


def hf_case(name, build, work, processor, images, results):
    from transformers import CLIPConfig, CLIPModel
    kwargs, save_kwargs, dtype = HF_CASES[name]
    torch.manual_seed(0)
    model = CLIPModel(CLIPConfig(**kwargs)).eval()
    perturb(model, 1)
    folder = os.path.join(work, name)
    model.to(dtype).save_pretrained(folder, **save_kwargs)
    files = sorted(os.listdir(folder))
    # HF's own model, as a user loads it (f32, from the saved weights).
    model = CLIPModel.from_pretrained(folder, dtype=torch.float32).eval()

    size = model.config.vision_config.image_size
    processor.image_processor.size = {"shortest_edge": size}
    processor.image_processor.crop_size = {"height": size, "width": size}
    batch = processor(text=CAPTIONS, images=[Image.open(p) for p in images[:2]],
                      return_tensors="pt", padding="max_length", max_length=77)
    with torch.no_grad():
        image_ref = model.visual_projection(
            model.vision_model(pixel_values=batch["pixel_values"]).pooler_output)
        text_ref = model.text_projection(
            model.text_model(input_ids=batch["input_ids"],
                             attention_mask=batch["attention_mask"]).pooler_output)

    model_file = os.path.join(work, f"{name}.mlir")
    run([tool(build, "clip-modelgen"), os.path.join(folder, "config.json"), "-o", model_file])
    params = os.path.join(work, f"{name}-ours.safetensors")
    converted = run([tool(build, "clip-run"), "convert", folder, "-o", params]).stdout.strip()
    inputs = os.path.join(work, f"{name}-inputs.safetensors")
    save_file({"image": batch["pixel_values"].float().contiguous(),
               "text": batch["input_ids"].long().contiguous()}, inputs)
    start = time.time()
    ours = {}
    for function, arg, count in [("encode_image", "image", 2), ("encode_text", "text", 3)]:
        out = os.path.join(work, f"{name}-{arg}-out.safetensors")
        run([tool(build, "clip-ref"), model_file, "--function", function, "--batch",
             str(count), "--params", params, "--inputs", inputs, "--arg", arg, "-o", out])
        ours[arg] = load_file(out)["result0"]
    seconds = time.time() - start
    for key, ref in [("image", image_ref), ("text", text_ref)]:
        results.append((name, f"{key} embeddings", rel_error(ours[key], ref), BOUND,
                        f"clip-ref {seconds:.1f} s"))
    print(f"info {name}: saved {', '.join(files)}; {converted}")


def refusals(build, work, results):
    """Malicious and broken files are refused; the payload never runs."""
    marker = os.path.join(work, "pwned")

    class System:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    class Eval:
        def __reduce__(self):
            return (eval, (f"open({marker!r}, 'w')",))

    def archive(path, obj, protocol):
        with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
            z.writestr("archive/data.pkl", pickle.dumps(obj, protocol=protocol))
            z.writestr("archive/byteorder", "little")
            z.writestr("archive/version", "3\n")

    cases = []
    for label, obj, protocol, expect in [
            ("os.system (GLOBAL)", {"weight": System()}, 2, "posix.system"),
            ("builtins.eval (STACK_GLOBAL)", {"weight": Eval()}, 4, "builtins.eval")]:
        path = os.path.join(work, f"evil-{protocol}.bin")
        archive(path, obj, protocol)
        cases.append((label, path, ["refused", expect]))
    # A real checkpoint cut short.
    good = os.path.join(work, "good.bin")
    torch.save({"w": torch.arange(1000, dtype=torch.float32)}, good)
    data = open(good, "rb").read()
    cut = os.path.join(work, "truncated.bin")
    open(cut, "wb").write(data[: len(data) // 2])
    cases.append(("truncated .bin", cut, ["truncated"]))
    for label, path, needles in cases:
        proc = run([tool(build, "clip-run"), "convert", path, "-o",
                    os.path.join(work, "never.safetensors")], expect_ok=False)
        message = proc.stderr.strip()
        ok = (proc.returncode == 1 and all(n in message for n in needles)
              and not os.path.exists(marker)
              and not os.path.exists(os.path.join(work, "never.safetensors")))
        results.append(("refusal", label, 0.0 if ok else 1.0, 0.5, message[:150]))


def open_clip_case(build, work, results):
    import open_clip
    cfg = json.load(open(os.path.join(ROOT, "models/clip/configs/ViT-Tiny-32.json")))
    torch.manual_seed(3)
    model = open_clip.model.CLIP(**cfg).eval()
    perturb(model, 4)
    state = {k: v for k, v in model.state_dict().items()}
    plain = os.path.join(work, "open_clip_pytorch_model.bin")
    torch.save(model.state_dict(), plain)
    training = os.path.join(work, "epoch_3.pt")
    torch.save({"epoch": 3, "name": "run", "state_dict":
                {"module." + k: v for k, v in model.state_dict().items()},
                "optimizer": {"state": {}, "param_groups": [{"lr": 1e-3}]}}, training)
    model_file = os.path.join(ROOT, "models/clip/vit_tiny.mlir")
    size = cfg["vision_cfg"]["image_size"]
    generator = torch.Generator().manual_seed(5)
    image = torch.randn(2, 3, size, size, generator=generator)
    import open_clip as oc
    text = oc.tokenize(CAPTIONS[:2], context_length=cfg["text_cfg"]["context_length"])
    with torch.no_grad():
        refs = {"image": model.encode_image(image), "text": model.encode_text(text)}
    inputs = os.path.join(work, "oc-inputs.safetensors")
    save_file({"image": image.contiguous(), "text": text.long().contiguous()}, inputs)
    for label, path in [("torch.save state dict", plain), ("training checkpoint", training)]:
        params = os.path.join(work, "oc-ours.safetensors")
        run([tool(build, "clip-run"), "convert", path, "-o", params])
        converted = load_file(params)
        exact = all(torch.equal(converted[k], v) for k, v in state.items()
                    if k != "attn_mask") and set(converted) >= set(state) - {"attn_mask"}
        results.append(("open-clip-bin", f"{label}: tensors exact", 0.0 if exact else 1.0, 0.5, ""))
        for function, arg in [("encode_image", "image"), ("encode_text", "text")]:
            out = os.path.join(work, f"oc-{arg}.safetensors")
            run([tool(build, "clip-ref"), model_file, "--function", function, "--batch", "2",
                 "--params", params, "--inputs", inputs, "--arg", arg, "-o", out])
            results.append(("open-clip-bin", f"{label}: {arg} embeddings",
                            rel_error(load_file(out)["result0"], refs[arg]), BOUND, ""))


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("cases", nargs="*",
                        default=list(HF_CASES) + ["open-clip-bin", "refusals"])
    args = parser.parse_args()
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    results = []
    with tempfile.TemporaryDirectory(prefix="clip-pretrained-") as work:
        processor = hf_processor(work)
        images = make_images(work, 4, seed=7)
        preprocessing_differences(processor, images, work, args.build)
        for name in args.cases:
            if name in HF_CASES:
                hf_case(name, args.build, work, processor, images, results)
            elif name == "open-clip-bin":
                open_clip_case(args.build, work, results)
            elif name == "refusals":
                refusals(args.build, work, results)
            else:
                sys.exit(f"unknown case {name}")
    failed = False
    for case, what, err, bound, note in results:
        ok = err <= bound
        failed |= not ok
        print(f"{'ok  ' if ok else 'FAIL'} {case:13s} {what:44s} "
              f"{'rel error' if bound < 0.5 else 'check'} {err:.3e} (bound {bound:.0e}) {note}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
