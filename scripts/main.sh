#!/usr/bin/env bash
# The main job: set up and build, compile the small CLIP model (ViT-Tiny-28:
# image 28, patch 7, 4+4 transformer layers of width 128, text context 24) to
# a clip.so for the CPU, train it on Fashion-MNIST's 60,000 training images
# with captions made from templates, and print its zero-shot accuracy on the
# 10,000 test images. About 7 minutes on 2 cores.
# Writes the checkpoint (OpenCLIP key names), metrics (JSONL) and a plot
# (SVG) to $CLIPC_MAIN_OUT (default build/main). CLIPC_PRECISION=bf16 stores
# activations in bf16 (clipc --precision; f32 arithmetic and optimizer).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${CLIPC_BUILD_DIR:-$root/build}
out=${CLIPC_MAIN_OUT:-$build_dir/main}
"$root/scripts/setup.sh"
mkdir -p "$out"

# The recipe (bench/train_fashion_mnist.py trains the same in PyTorch).
batch=128 epochs=2 lr=3e-3 wd=0.1 warmup=50
precision=${CLIPC_PRECISION:-fp32}

start=$(date +%s)
echo "== clipc: models/clip/vit_tiny28.mlir at batch $batch ($precision) -> $out/clip-tiny.so"
"$build_dir/bin/clipc" "$root/models/clip/vit_tiny28.mlir" --batch "$batch" \
  --precision "$precision" -o "$out/clip-tiny.so"
"$build_dir/bin/clip-run" info "$out/clip-tiny.so" | sed -n '1p;/@train_step/,/outputs/p'

echo "== clip-run train: Fashion-MNIST, $epochs epoch(s), then zero-shot on the test split"
rm -f "$out/metrics.jsonl"
"$build_dir/bin/clip-run" train "$out/clip-tiny.so" --epochs "$epochs" --lr "$lr" --wd "$wd" \
  --warmup "$warmup" --workers 1 --log-every 25 \
  --checkpoint "$out/checkpoint.safetensors" --metrics "$out/metrics.jsonl" \
  --plot "$out/training.svg"
echo "== done in $(( $(date +%s) - start )) s; checkpoint, metrics and plot in $out"
