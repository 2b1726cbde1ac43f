#!/usr/bin/env python3
"""Parity of clipc's image preprocessing (runtime/data) with OpenCLIP's.

The reference is OpenCLIP's own eval transform,
open_clip.image_transform(size, is_train=False), applied to PIL images
(Resize of the shorter side with PIL's antialiased bicubic, CenterCrop,
convert("RGB"), ToTensor, Normalize). The subject is build/bin/clip-preprocess,
which runs runtime/data's decoder and preprocess() on the same files.

Images: a few dozen generated with numpy (smooth gradients, noise, hard edges
that make the bicubic overshoot and clamp) at varied sizes and aspects, down-
and up-scaled, saved as PNG (RGB, gray, RGBA, palette) and JPEG (4:2:0, 4:4:4,
gray, progressive); and the first Fashion-MNIST images (28x28 gray, Debian's
files) at sizes 32 and 224. Images that are not gray or RGB are compared with
PIL's convert("RGB") first, as OpenCLIP's WebDataset pipeline ("pilrgb")
decodes them.

Three comparisons per image:
  decode:  our decoded pixels against PIL's (PNG must be exact; JPEG shows
           what differs between Debian's libjpeg-turbo and Pillow's bundled one)
  resize:  PIL's transform applied to *our* decoded pixels against ours: the
           resampling itself, which must match Pillow bit for bit
  full:    OpenCLIP's transform of PIL's decoding against ours, after
           normalization (max abs difference of the floats)
Also the train path's resized crop: our random box, cropped and resized by PIL.

Bounds: decode and resize exact for PNG; resize at most 1/255 on at most 0.1%
of the values everywhere; full at most 1/255/std (one 8-bit step after
normalization, 0.0150) on at most 0.5% of the values.
"""
import argparse
import gzip
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import open_clip
import torch
from PIL import Image
from safetensors.numpy import load_file

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FASHION = "/usr/share/datasets/fashion-mnist"
STEP = 1.0 / 255.0 / min(open_clip.OPENAI_DATASET_STD)  # one 8-bit step, normalized


def synthetic(h, w, channels, rng):
    """Gradients + noise + hard-edged blocks (bicubic overshoot, clamping)."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    planes = []
    for c in range(channels):
        base = 127 + 100 * np.sin(x / (w / (2 + c)) + y / (h / (1.5 + c)))
        base += rng.normal(0, 20, (h, w))
        planes.append(base)
    img = np.stack(planes, -1)
    for _ in range(6):  # hard edges, saturated values
        y0, x0 = rng.integers(0, h), rng.integers(0, w)
        hh, ww = rng.integers(1, max(2, h // 3)), rng.integers(1, max(2, w // 3))
        img[y0:y0 + hh, x0:x0 + ww] = rng.choice([0, 255], size=channels)
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def make_images(directory, rng):
    sizes = [(375, 500), (500, 375), (224, 224), (223, 225), (225, 223),
             (100, 300), (300, 100), (640, 480), (31, 47), (17, 260),
             (256, 256), (300, 299), (224, 300), (50, 50), (1000, 250),
             (333, 777), (120, 96), (227, 231)]
    files = []
    for i, (h, w) in enumerate(sizes):
        kind = i % 6
        if kind in (0, 3):  # RGB PNG
            arr = synthetic(h, w, 3, rng)
            im = Image.fromarray(arr, "RGB")
            path = os.path.join(directory, f"{i:02d}_rgb.png")
            im.save(path)
        elif kind == 1:  # gray PNG
            im = Image.fromarray(synthetic(h, w, 1, rng)[:, :, 0], "L")
            path = os.path.join(directory, f"{i:02d}_gray.png")
            im.save(path)
        elif kind == 2:  # RGBA PNG
            arr = np.concatenate([synthetic(h, w, 3, rng),
                                  rng.integers(0, 256, (h, w, 1), dtype=np.uint8)], -1)
            im = Image.fromarray(arr, "RGBA")
            path = os.path.join(directory, f"{i:02d}_rgba.png")
            im.save(path)
        elif kind == 4:  # palette PNG
            im = Image.fromarray(synthetic(h, w, 3, rng), "RGB").quantize(64)
            path = os.path.join(directory, f"{i:02d}_palette.png")
            im.save(path)
        else:  # interlaced PNG via a gray+alpha image
            arr = np.concatenate([synthetic(h, w, 1, rng),
                                  rng.integers(0, 256, (h, w, 1), dtype=np.uint8)], -1)
            im = Image.fromarray(arr, "LA")
            path = os.path.join(directory, f"{i:02d}_la.png")
            im.save(path)
        files.append(path)
        # The same size as JPEG, in one of four flavours.
        flavour = i % 4
        rgb = synthetic(h, w, 3, rng)
        jpath = os.path.join(directory, f"{i:02d}_q{flavour}.jpg")
        if flavour == 0:
            Image.fromarray(rgb, "RGB").save(jpath, quality=90)  # 4:2:0
        elif flavour == 1:
            Image.fromarray(rgb, "RGB").save(jpath, quality=95, subsampling=0)  # 4:4:4
        elif flavour == 2:
            Image.fromarray(rgb[:, :, 0], "L").save(jpath, quality=85)
        else:
            Image.fromarray(rgb, "RGB").save(jpath, quality=80, progressive=True)
        files.append(jpath)
    return files


def pil_rgb(im):
    """As OpenCLIP's "pilrgb" decoding; gray+alpha gives gray (PIL's RGB of
    it has three equal planes, which resample as the gray one does)."""
    if im.mode in ("L", "RGB"):
        return im
    return im.convert("L" if im.mode == "LA" else "RGB")


def read_idx_images(count):
    with gzip.open(os.path.join(FASHION, "train-images-idx3-ubyte.gz")) as f:
        data = f.read()
    n, h, w = (int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(3))
    arr = np.frombuffer(data, np.uint8, offset=16).reshape(n, h, w)
    return arr[:count]


def compare(tag, ours_img, ours_pixels, pil_image, size, rows):
    tf = open_clip.image_transform(size, is_train=False)
    pre = tf.transforms[:3]  # Resize, CenterCrop, MaybeConvertMode
    pil_pixels = pil_image
    for t in pre:
        pil_pixels = t(pil_pixels)
    pil_pixels = np.asarray(pil_pixels)
    theirs = tf(pil_image).numpy()
    ours_rgb = ours_pixels if ours_pixels.ndim == 3 else ours_pixels[:, :, None]
    if ours_rgb.shape[2] == 1:
        ours_rgb = np.repeat(ours_rgb, 3, 2)
    if pil_pixels.ndim == 2:
        pil_pixels = np.repeat(pil_pixels[:, :, None], 3, 2)
    pixel_diff = np.abs(ours_rgb.astype(int) - pil_pixels.astype(int))
    float_diff = np.abs(ours_img - theirs)
    rows.append((tag, size, int(pixel_diff.max()), float((pixel_diff > 0).mean()),
                 float(float_diff.max()), float((float_diff > 1e-6).mean())))
    return rows[-1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--keep", help="keep the images in this directory")
    args = parser.parse_args()
    tool = os.path.join(args.build, "bin", "clip-preprocess")
    rng = np.random.default_rng(1234)
    failures = []
    resize_rows, full_rows, decode_rows = [], [], []

    with tempfile.TemporaryDirectory() as tmp:
        directory = args.keep or tmp
        os.makedirs(directory, exist_ok=True)
        files = make_images(directory, rng)
        for size in (224, 32):
            out = os.path.join(tmp, f"ours_{size}.safetensors")
            subprocess.run([tool, "--size", str(size), "-o", out] + files, check=True)
            ours = load_file(out)
            for i, path in enumerate(files):
                name = os.path.basename(path)
                decoded = ours[f"{i}/decoded"]
                pil = pil_rgb(Image.open(path))
                pil.load()
                pil_arr = np.asarray(pil)
                if pil_arr.ndim == 2:
                    pil_arr = pil_arr[:, :, None]
                if size == 224:
                    if decoded.shape != pil_arr.shape:
                        failures.append(f"{name}: decoded shape {decoded.shape} vs PIL {pil_arr.shape}")
                        continue
                    d = np.abs(decoded.astype(int) - pil_arr.astype(int))
                    decode_rows.append((name, int(d.max()), float((d > 0).mean())))
                    if name.endswith(".png") and d.max() != 0:
                        failures.append(f"{name}: PNG decoding differs from PIL's (max {d.max()})")
                # Resampling alone: PIL's transform of our decoded pixels.
                ours_as_pil = Image.fromarray(decoded[:, :, 0] if decoded.shape[2] == 1 else decoded,
                                              "L" if decoded.shape[2] == 1 else "RGB")
                r = compare(name, ours[f"{i}/image"], ours[f"{i}/pixels"], ours_as_pil, size, resize_rows)
                if r[2] > 1 or r[3] > 0.001 or (name.endswith(".png") and r[2] != 0):
                    failures.append(f"resize {name} at {size}: max {r[2]}/255, {r[3]:.2%} of pixels differ")
                r = compare(name, ours[f"{i}/image"], ours[f"{i}/pixels"], pil, size, full_rows)
                if r[4] > STEP + 1e-5 or r[5] > 0.005:
                    failures.append(f"full {name} at {size}: max {r[4]:.5f}, {r[5]:.2%} of values differ")

        # Fashion-MNIST, 28x28 gray, at the small model's 32 and at 224.
        if os.path.isdir(FASHION):
            images = read_idx_images(64)
            for size in (32, 224):
                out = os.path.join(tmp, f"fmnist_{size}.safetensors")
                subprocess.run([tool, "--fashion-mnist", "-", "--count", "64", "--size", str(size),
                                "-o", out], check=True)
                ours = load_file(out)
                for i in range(len(images)):
                    if not np.array_equal(ours[f"{i}/decoded"][:, :, 0], images[i]):
                        failures.append(f"fashion-mnist {i}: IDX pixels differ")
                    pil = Image.fromarray(images[i], "L")
                    r = compare(f"fashion-mnist {i}", ours[f"{i}/image"], ours[f"{i}/pixels"], pil,
                                size, full_rows)
                    if r[2] != 0 or r[4] > 1e-6:
                        failures.append(f"fashion-mnist {i} at {size}: max {r[2]}/255, float {r[4]:.2e}")
        else:
            print(f"note: {FASHION} missing (dataset-fashion-mnist), Fashion-MNIST cases skipped")

        # Train path: our random box, cropped and resized by PIL.
        out = os.path.join(tmp, "train.safetensors")
        pngs = [f for f in files if f.endswith(".png")]
        subprocess.run([tool, "--train", "--seed", "7", "--size", "64", "-o", out] + pngs, check=True)
        ours = load_file(out)
        crop_rows = []
        for i, path in enumerate(pngs):
            top, left, h, w = (int(v) for v in ours[f"{i}/box"])
            decoded = ours[f"{i}/decoded"]
            im = Image.fromarray(decoded[:, :, 0] if decoded.shape[2] == 1 else decoded)
            ref = np.asarray(im.crop((left, top, left + w, top + h)).resize((64, 64), Image.BICUBIC))
            mine = ours[f"{i}/pixels"]
            mine = mine[:, :, 0] if mine.shape[2] == 1 else mine
            d = np.abs(ref.astype(int) - mine.astype(int))
            crop_rows.append(d.max())
            H, W = decoded.shape[:2]
            if not (0 <= top and 0 <= left and top + h <= H and left + w <= W):
                failures.append(f"train {path}: box {top, left, h, w} outside {H}x{W}")
            if d.max() != 0:
                failures.append(f"train {os.path.basename(path)}: resized crop differs by {d.max()}")

    import PIL
    print(f"Pillow {PIL.__version__}, open_clip {open_clip.__version__}, torch {torch.__version__}")
    print(f"{'image':<24}{'size':>5}  {'resize: max/255':>15} {'differ':>8}   {'full: max':>10} {'differ':>8}")
    by_key = {(r[0], r[1]): r for r in full_rows}
    for r in resize_rows:
        f = by_key.get((r[0], r[1]))
        print(f"{r[0]:<24}{r[1]:>5}  {r[2]:>15} {r[3]:>8.3%}   {f[4]:>10.6f} {f[5]:>8.3%}")
    fm = [r for r in full_rows if r[0].startswith("fashion")]
    for size in (32, 224):
        rs = [r for r in fm if r[1] == size]
        if rs:
            print(f"{'fashion-mnist x' + str(len(rs)):<24}{size:>5}  {max(r[2] for r in rs):>15} "
                  f"{max(r[3] for r in rs):>8.3%}   {max(r[4] for r in rs):>10.6f} {max(r[5] for r in rs):>8.3%}")
    print()
    print("decoding against PIL (max abs, fraction of bytes that differ):")
    for name, m, frac in decode_rows:
        print(f"  {name:<24} {m:>4} {frac:>8.3%}")
    print(f"train path, PIL crop+resize of our box: max {max(crop_rows)} over {len(crop_rows)} images")
    summary_resize = max(r[2] for r in resize_rows)
    summary_full = max(r[4] for r in full_rows)
    print(f"summary: {len(resize_rows)} image/size cases + {len(fm)} Fashion-MNIST; resampling max "
          f"{summary_resize}/255; after normalization max {summary_full:.6f} (one 8-bit step = {STEP:.6f})")
    if failures:
        print("FAILED:")
        for f in failures:
            print("  " + f)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
