#!/usr/bin/env bash
# Regenerates models/clip/*.mlir from models/clip/configs/*.json with
# clip-modelgen. test/Models/generated-up-to-date.mlir fails when a checked-in
# file differs from what the generator writes.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
gen=${CLIPC_BUILD_DIR:-$root/build}/bin/clip-modelgen
cd "$root"
declare -A files=(
  [ViT-B-32]=vitb32 [ViT-B-16]=vitb16 [ViT-L-14]=vitl14 [RN50]=rn50
  [ViT-Tiny-32]=vit_tiny [ViT-Tiny-28]=vit_tiny28
)
for config in "${!files[@]}"; do
  "$gen" "models/clip/configs/$config.json" -o "models/clip/${files[$config]}.mlir"
  echo "models/clip/${files[$config]}.mlir <- models/clip/configs/$config.json"
done
