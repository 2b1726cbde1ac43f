#!/usr/bin/env bash
# A tour of the compiler: set up and build, then parse, verify and print the pre-LN
# transformer block (models/clip/transformer_block.mlir), and print it again
# with its batch dimension specialized to 8, then fused; then the parameter
# counts of the CLIP model files, the fused ops of ViT-B/16, and its training
# function: gradients and the bytes a step keeps under each remat policy;
# ViT-B/16's planned arena at batch 256; finally clipc compiles the small ViT
# to a clip.so and clip-run describes it and runs training steps on the CPU.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${CLIPC_BUILD_DIR:-$root/build}
"$root/scripts/setup.sh"

model=$root/models/clip/transformer_block.mlir
echo "== $model: parsed and verified"
"$build_dir/bin/clip-opt" "$model"
echo "== after --clip-prepare=batch-size=8 (check names, specialize, inline, canonicalize, cse)"
"$build_dir/bin/clip-opt" "$model" --clip-prepare=batch-size=8

echo "== after --clip-fuse (attention, layer norms, GEMM epilogues, elementwise groups)"
"$build_dir/bin/clip-opt" "$model" --clip-prepare=batch-size=8 --clip-fuse

echo "== CLIP models (models/clip/*.mlir): parameters"
for m in vit_tiny vitb32 vitb16 vitl14 rn50; do
  printf '%-10s ' "$m"
  "$build_dir/bin/clip-opt" --clip-check-names --clip-param-summary "$root/models/clip/$m.mlir" -o /dev/null
done

echo "== ViT-B/16 @forward after --clip-fuse: fused ops (both towers and the loss)"
"$build_dir/bin/clip-opt" --clip-fuse "$root/models/clip/vitb16.mlir" |
  awk '/func.func @forward/,/^  }$/' | grep -oE "= clip\.(attention|layer_norm|add_layer_norm|contrastive_loss|gemm|elementwise|softmax|log_softmax)\b" |
  sort | uniq -c

echo "== ViT-B/16 training function (--clip-fuse --clip-autodiff): gradients, and what a step keeps per remat policy"
for remat in none attention block; do
  printf '%-10s ' "$remat"
  "$build_dir/bin/clip-opt" --clip-prepare=batch-size=1 --clip-fuse \
    "--clip-autodiff=report-saved=true remat=$remat" "$root/models/clip/vitb16.mlir" -o /dev/null
done
printf 'gradients: '
"$build_dir/bin/clip-opt" --clip-fuse --clip-autodiff "$root/models/clip/vitb16.mlir" | grep -o 'clip.gradient = ' | wc -l

echo "== ViT-B/16 at batch 256: the training step's arena per remat policy (clip-train, clip-kernels)"
for remat in none attention block; do
  printf '%-10s ' "$remat"
  "$build_dir/bin/clip-opt" "--clip-train=batch-size=256 remat=$remat" --clip-kernels=report \
    "$root/models/clip/vitb16.mlir" -o /dev/null | grep '@train_step'
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "== clipc: the small ViT at batch 32 -> clip.so (CPU target), then clip-run"
"$build_dir/bin/clipc" "$root/models/clip/vit_tiny.mlir" --batch 32 -o "$work/clip.so"
"$build_dir/bin/clip-run" info "$work/clip.so"
"$build_dir/bin/clip-run" step "$work/clip.so" --steps 5
