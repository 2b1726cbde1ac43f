#!/usr/bin/env python3
"""Fashion-MNIST CLIP training and zero-shot evaluation in PyTorch/OpenCLIP:
the baseline of `clip-run train` (tools/clip-run/Train.cpp, ZeroShot.cpp).

Trains the main job's model, ViT-Tiny-28 by default (--config; models/clip/
configs/ViT-Tiny-28.json: embed 128; image 28, patch 7, width 128, 4 layers;
text context 24, width 128, 2 heads, 4 layers; nn.GELU, not QuickGELU) from OpenCLIP's random initialization on the 60,000
training images of Debian's dataset-fashion-mnist, with captions made from
templates, then classifies the 10,000 test images zero-shot with the template
ensemble and prints top-1/top-5, the time of each phase and one JSON line.

Mirrored from the C++ recipe, point by point:
  * model: open_clip.create_model of the JSON config, f32, CPU, after
    torch.manual_seed(seed); OpenCLIP's own init.
  * images: open_clip.image_transform(image_size, is_train=False) on the 28x28
    gray PIL images (Pillow bicubic resize of the shorter side, center crop,
    convert("RGB"), ToTensor, Normalize with CLIP's mean/std); clip-run's
    runtime/data/Preprocess.cpp reproduces this bit for bit.
  * captions: the class names and the 16 templates are parsed from
    runtime/data/FashionMnist.cpp and runtime/data/Captions.cpp; sample i
    (its index in the IDX file) gets template captionTemplateFor(seed, i),
    the same SplitMix64 hash, so both programs train on the same captions
    (fixed per image, the same in every epoch). Tokens: open_clip.tokenize(
    texts, context_length=the config's) (the C++ tokenizer mirrors it; every
    caption here is shorter than it, so truncation never happens; asserted).
  * order: runtime/data/Loader.cpp's shuffledOrder: Fisher-Yates driven by
    std::mt19937_64 seeded with seed + epoch, with rejection sampling for an
    unbiased index (mt19937_64 reimplemented below, checked against the C++
    standard's 10000th-output value). Batch j of epoch e is
    order_e[j*B:(j+1)*B]; the last partial batch is dropped; --steps past an
    epoch go on into the next epoch's order. So both programs see the same
    batches of the same (image, caption) pairs in the same order.
  * optimizer: torch.optim.AdamW, betas (0.9, 0.98), eps 1e-6, weight decay
    --wd on parameters of rank >= 2 whose names contain none of "bn", "ln",
    "bias", "embedding", "logit_scale" (runtime/train/Optimizer.cpp decays()),
    0 on the others. The learning rate of step s (0-based) is set before the
    step to cosineLr(lr, warmup, total, s): lr*(s+1)/warmup while s < warmup,
    then 0.5*(1+cos(pi*(s-warmup)/(total-warmup)))*lr; warmup -1 means
    max(1, total // 20). After each step logit_scale is clamped to
    [0, ln 100]. No gradient clipping, no accumulation (clip-run's defaults).
  * loss: open_clip.loss.ClipLoss (mean of the image and text cross
    entropies) of the normalized features with logit_scale.exp().
  * zero-shot: per class, every template with the class name, each embedding
    L2-normalized, the mean normalized again; image embeddings normalized;
    top-1 and top-5 of the cosine similarities over the 10,000 test images.
  * progress: the loss of the step, its running average (0.95/0.05 EMA, as
    clip-run prints it), lr, exp(logit_scale) and pairs/s since the start.

What differs (and cannot be made the same):
  * initial weights: the seed drives different generators (torch vs
    std::mt19937_64), so the same --seed gives different initial weights.
    The init *scheme* also differs in the vision tower: OpenCLIP leaves the
    vision blocks at PyTorch's defaults (nn.MultiheadAttention's
    xavier_uniform in_proj, kaiming_uniform out_proj/c_fc/c_proj) and every
    mlp.c_fc/c_proj bias in both towers at nn.Linear's nonzero uniform init,
    while runtime/train/Initialize.cpp gives the vision blocks the text
    tower's normal(width^-0.5 ...) scheme and zeroes all biases. Only the
    data order and captions are identical, not the trajectories.
  * timing: here the 70,000 images are preprocessed once before training
    (timed separately, "precompute"); the training time covers the step
    loop only (batch gather, forward, backward, AdamW, clamp). clip-run
    decodes and preprocesses in its loader threads (--workers, default 1)
    overlapped with the steps, and its "trained ... in" time includes any
    wait on them (it prints that wait).
  * defaults: this script defaults to --lr 1e-3 --wd 0.1; clip-run train
    defaults to --lr 5e-4 --wd 0.2 (OpenCLIP's). Pass both explicitly.
  * contention: time both on an idle machine. With other processes on the
    cores, OpenMP threads wait on each other at every parallel region, and
    --threads 2 can be several times slower than --threads 1 (seen here:
    8.4 s/step at a load average of 20-60, 1.5-2.2 s at 3-4). The JSON
    line records the load average at the start and end of the step loop.
  * arithmetic: PyTorch eager kernels (MKL/oneDNN GEMMs, foreach AdamW) vs
    clipc's generated code; the same math, not the same rounding.

Side by side with the same hyperparameters (2 threads each):
  build/bin/clipc models/clip/vit_tiny.mlir --batch 128 -o /tmp/clip.so
  build/bin/clip-run train /tmp/clip.so --epochs 1 --lr 1e-3 --wd 0.1 \\
      --warmup -1 --seed 0 --threads 2 --log-every 20
  python3 bench/train_fashion_mnist.py --batch 128 --epochs 1 --lr 1e-3 \\
      --wd 0.1 --warmup -1 --seed 0 --threads 2
(clipc fixes the batch in clip.so: --batch here must be clipc's --batch.)
The last line printed here is a JSON object with every figure.
"""
import argparse
import gzip
import json
import logging
import math
import os
import re
import sys
import time

import numpy as np
import torch
from PIL import Image

import open_clip
from open_clip.loss import ClipLoss

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_CONFIG = os.path.join(ROOT, "models/clip/configs/ViT-Tiny-28.json")
DEFAULT_DATA = "/usr/share/datasets/fashion-mnist"  # kFashionMnistDirectory
EXPECTED_CLASSES = ["t-shirt/top", "trouser", "pullover", "dress", "coat",
                    "sandal", "shirt", "sneaker", "bag", "ankle boot"]
EXPECTED_TEMPLATES = 16
MASK64 = (1 << 64) - 1


# ---------------------------------------------------------------------------
# Captions and classes, parsed from the C++ sources
# ---------------------------------------------------------------------------

def _cpp_string_list(path, function):
    """The string literals of the `static const std::vector<std::string>`
    initializer in `function`'s body."""
    source = open(os.path.join(ROOT, path), encoding="utf-8").read()
    match = re.search(re.escape(function) + r"\(\)\s*\{.*?=\s*\{(.*?)\};",
                      source, re.S)
    assert match, f"{path}: no initializer list in {function}()"
    strings = re.findall(r'"((?:[^"\\]|\\.)*)"', match.group(1))
    assert all("\\" not in s for s in strings), f"{path}: escapes in {strings}"
    return strings


def caption_templates():
    templates = _cpp_string_list("runtime/data/Captions.cpp",
                                 "captionTemplates")
    assert len(templates) == EXPECTED_TEMPLATES, \
        f"found {len(templates)} caption templates, expected {EXPECTED_TEMPLATES}"
    assert all(t.count("{}") == 1 for t in templates), templates
    return templates


def class_names():
    names = _cpp_string_list("runtime/data/FashionMnist.cpp",
                             "fashionMnistClasses")
    assert names == EXPECTED_CLASSES, names
    return names


def caption_template_for(seed, index, count):
    """Captions.cpp captionTemplateFor: SplitMix64 of (seed, index)."""
    z = (seed * 0x9E3779B97F4A7C15 + index + 0x632BE59BD9B4E019) & MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    z ^= z >> 31
    return z % count


# ---------------------------------------------------------------------------
# Data order: std::mt19937_64 and Loader.cpp's shuffledOrder
# ---------------------------------------------------------------------------

class MT19937_64:
    """std::mt19937_64 (the C++ standard's parameters)."""
    N, M = 312, 156

    def __init__(self, seed):
        mt = [seed & MASK64]
        for i in range(1, self.N):
            prev = mt[-1]
            mt.append((6364136223846793005 * (prev ^ (prev >> 62)) + i) & MASK64)
        self.mt, self.index = mt, self.N

    def _twist(self):
        mt, n, m = self.mt, self.N, self.M
        for i in range(n):
            x = (mt[i] & 0xFFFFFFFF80000000) | (mt[(i + 1) % n] & 0x7FFFFFFF)
            xa = x >> 1
            if x & 1:
                xa ^= 0xB5026F5AA96619E9
            mt[i] = mt[(i + m) % n] ^ xa
        self.index = 0

    def __call__(self):
        if self.index >= self.N:
            self._twist()
        y = self.mt[self.index]
        self.index += 1
        y ^= (y >> 29) & 0x5555555555555555
        y ^= (y << 17) & 0x71D67FFFEDA60000
        y ^= (y << 37) & 0xFFF7EEE000000000
        y ^= y >> 43
        return y & MASK64


def _check_mt19937_64():
    rng = MT19937_64(5489)
    for _ in range(9999):
        rng()
    # [rand.predef]: the 10000th output of a default-constructed mt19937_64.
    assert rng() == 9981545732273789042, "mt19937_64 port is wrong"


def shuffled_order(size, seed):
    """Loader.cpp shuffledOrder: Fisher-Yates with below(rng, i)."""
    order = list(range(size))
    rng = MT19937_64(seed)
    for i in range(size, 1, -1):
        limit = MASK64 - MASK64 % i
        r = rng()
        while r >= limit:
            r = rng()
        j = r % i
        order[i - 1], order[j] = order[j], order[i - 1]
    return order


# ---------------------------------------------------------------------------
# Fashion-MNIST
# ---------------------------------------------------------------------------

def _read_idx(directory, stem, rank):
    path = os.path.join(directory, stem)
    if os.path.exists(path + ".gz"):
        data = gzip.open(path + ".gz", "rb").read()
    else:
        data = open(path, "rb").read()
    assert data[:3] == b"\0\0\x08" and data[3] == rank, f"{path}: not IDX u8"
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * rank).reshape(dims)


def load_split(directory, train):
    prefix = "train" if train else "t10k"
    images = _read_idx(directory, f"{prefix}-images-idx3-ubyte", 3)
    labels = _read_idx(directory, f"{prefix}-labels-idx1-ubyte", 1)
    assert len(images) == len(labels) and labels.max() < len(EXPECTED_CLASSES)
    return images, labels.astype(np.int64)


def preprocess_all(images, transform, size):
    out = torch.empty(len(images), 3, size, size, dtype=torch.float32)
    for i, pixels in enumerate(images):
        out[i] = transform(Image.fromarray(pixels))  # mode "L"
    return out


# ---------------------------------------------------------------------------
# Training recipe
# ---------------------------------------------------------------------------

def decays(name, rank):
    """Optimizer.cpp decays()."""
    return rank >= 2 and not any(
        part in name for part in ("bn", "ln", "bias", "embedding", "logit_scale"))


def cosine_lr(base, warmup, total, step):
    """Optimizer.cpp cosineLr (OpenCLIP's cosine_lr)."""
    if step < warmup:
        return base * (step + 1) / warmup
    progress = (step - warmup) / (total - warmup) if total > warmup else 1.0
    return 0.5 * (1.0 + math.cos(math.pi * min(progress, 1.0))) * base


@torch.no_grad()
def zero_shot(model, names, templates, images, labels, batch=500):
    model.eval()
    prompts = [t.replace("{}", name, 1) for name in names for t in templates]
    tokens = open_clip.tokenize(prompts, context_length=model.context_length)
    text = torch.nn.functional.normalize(model.encode_text(tokens), dim=-1)
    classes = text.view(len(names), len(templates), -1).mean(dim=1)
    classes = torch.nn.functional.normalize(classes, dim=-1)
    top1 = top5 = 0
    for start in range(0, len(images), batch):
        emb = torch.nn.functional.normalize(
            model.encode_image(images[start:start + batch]), dim=-1)
        best = (emb @ classes.T).topk(min(5, len(names)), dim=-1).indices
        truth = labels[start:start + batch].unsqueeze(1)
        top1 += (best[:, :1] == truth).sum().item()
        top5 += (best == truth).any(dim=1).sum().item()
    model.train()
    return top1 / len(images), top5 / len(images)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default=DEFAULT_CONFIG,
                        help="OpenCLIP model config (the main job's: ViT-Tiny-28)")
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--steps", type=int, default=0,
                        help="optimizer steps (0: --epochs of the data)")
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--wd", type=float, default=0.1)
    parser.add_argument("--warmup", type=int, default=-1,
                        help="warmup steps (-1: 5%% of the steps, at least 1)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--log-every", type=int, default=20)
    parser.add_argument("--fashion-mnist-dir", default=DEFAULT_DATA)
    parser.add_argument("--no-eval", action="store_true")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    logging.getLogger().setLevel(logging.ERROR)  # "no pretrained weights"
    seed = args.seed & MASK64  # clip-run takes the seed as uint64_t
    _check_mt19937_64()

    # Data, preprocessed once.
    t0 = time.perf_counter()
    templates, names = caption_templates(), class_names()
    train_images, train_labels = load_split(args.fashion_mnist_dir, True)
    test_images, test_labels = load_split(args.fashion_mnist_dir, False)
    with open(args.config) as f:
        config = json.load(f)
    model_name = os.path.splitext(os.path.basename(args.config))[0]
    image_size = config["vision_cfg"]["image_size"]
    context = config["text_cfg"]["context_length"]
    transform = open_clip.image_transform(image_size, is_train=False)
    train_x = preprocess_all(train_images, transform, image_size)
    test_x = None if args.no_eval else preprocess_all(test_images, transform, image_size)
    # 10 x 16 distinct captions: tokenize each once, then index.
    captions = [t.replace("{}", n, 1) for n in names for t in templates]
    caption_tokens = open_clip.tokenize(captions, context_length=context)
    lengths = (caption_tokens != 0).sum(dim=1)
    assert lengths.max() < context, "a caption reaches the context length"
    choice = torch.tensor([train_labels[i] * len(templates) +
                           caption_template_for(seed, i, len(templates))
                           for i in range(len(train_labels))])
    train_tokens = caption_tokens[choice].contiguous()
    precompute_s = time.perf_counter() - t0

    # Model.
    open_clip.add_model_config(args.config)
    torch.manual_seed(args.seed)
    model = open_clip.create_model(model_name, pretrained=None,
                                   precision="fp32", device="cpu")
    model.train()
    decay = [p for n, p in model.named_parameters() if decays(n, p.dim())]
    other = [p for n, p in model.named_parameters() if not decays(n, p.dim())]
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": args.wd},
         {"params": other, "weight_decay": 0.0}],
        lr=args.lr, betas=(0.9, 0.98), eps=1e-6)
    loss_fn = ClipLoss()

    size, batch = len(train_labels), args.batch
    per_epoch = size // batch
    assert per_epoch > 0, f"{size} samples, fewer than one batch of {batch}"
    total = args.steps if args.steps > 0 else args.epochs * per_epoch
    warmup = args.warmup if args.warmup >= 0 else max(1, total // 20)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"train {model_name} (open_clip {open_clip.__version__}, torch "
          f"{torch.__version__}, {n_params} parameters, {len(decay)} of "
          f"{len(decay) + len(other)} tensors decayed) on cpu x "
          f"{args.threads} threads, batch {batch}, {size} image-text pairs "
          f"({per_epoch} batches an epoch), {total} steps, warmup {warmup}, "
          f"lr {args.lr:g}, wd {args.wd:g}, seed {args.seed}; preprocessed "
          f"in {precompute_s:.1f} s", flush=True)

    orders = {}
    load_start = os.getloadavg()[0]
    loss_avg = float("nan")
    loss_value = float("nan")
    start = time.perf_counter()
    for s in range(total):
        lr = cosine_lr(args.lr, warmup, total, s)
        for group in optimizer.param_groups:
            group["lr"] = lr
        epoch, j = divmod(s, per_epoch)
        if epoch not in orders:
            orders = {epoch: torch.tensor(
                shuffled_order(size, (seed + epoch) & MASK64))}
        index = orders[epoch][j * batch:(j + 1) * batch]
        image_features, text_features, scale = model(
            train_x[index], train_tokens[index])[:3]
        loss = loss_fn(image_features, text_features, scale)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            model.logit_scale.clamp_(0, math.log(100))

        done = s + 1
        loss_value = loss.item()
        loss_avg = loss_value if math.isnan(loss_avg) else \
            0.95 * loss_avg + 0.05 * loss_value
        if done % args.log_every == 0 or done == total or done == 1:
            elapsed = time.perf_counter() - start
            print(f"step {done}/{total}  loss {loss_value:.4f} (avg "
                  f"{loss_avg:.4f})  lr {lr:.2e}  scale "
                  f"{model.logit_scale.exp().item():.1f}  "
                  f"{done * batch / elapsed:.0f} pairs/s  "
                  f"{1e3 * elapsed / done:.0f} ms/step", flush=True)
    train_s = time.perf_counter() - start
    load_end = os.getloadavg()[0]
    pairs_per_s = total * batch / train_s
    print(f"trained {total} steps in {train_s:.1f} s: {pairs_per_s:.0f} "
          f"pairs/s, {1e3 * train_s / total:.0f} ms/step", flush=True)

    result = {
        "impl": "pytorch-openclip", "model": model_name,
        "open_clip": open_clip.__version__, "torch": torch.__version__,
        "threads": args.threads, "batch": batch, "steps": total,
        "epochs": total / per_epoch, "warmup": warmup, "lr": args.lr,
        "wd": args.wd, "seed": args.seed, "precompute_s": round(precompute_s, 3),
        "train_s": round(train_s, 3), "ms_per_step": round(1e3 * train_s / total, 2),
        "pairs_per_s": round(pairs_per_s, 1), "final_loss": round(loss_value, 5),
        "loss_avg": round(loss_avg, 5),
        "logit_scale": round(model.logit_scale.exp().item(), 4),
        "cpus": os.cpu_count(), "loadavg_start": round(load_start, 2),
        "loadavg_end": round(load_end, 2),
    }
    if not args.no_eval:
        t0 = time.perf_counter()
        top1, top5 = zero_shot(model, names, templates, test_x,
                               torch.from_numpy(test_labels))
        eval_s = time.perf_counter() - t0
        print(f"zero-shot Fashion-MNIST test ({len(test_labels)} images, "
              f"{len(templates)} templates): top-1 {100 * top1:.2f}%  top-5 "
              f"{100 * top5:.2f}%\n  evaluated in {eval_s:.1f} s")
        result.update(zero_shot_top1=round(top1, 4), zero_shot_top5=round(top5, 4),
                      eval_s=round(eval_s, 3))
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
