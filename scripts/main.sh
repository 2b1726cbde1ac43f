#!/usr/bin/env bash
# The main job: set up and build, then parse, verify and print the pre-LN
# transformer block (models/clip/transformer_block.mlir), and print it again
# with its batch dimension specialized to 8.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${CLIPC_BUILD_DIR:-$root/build}
"$root/scripts/setup.sh"

model=$root/models/clip/transformer_block.mlir
echo "== $model: parsed and verified"
"$build_dir/bin/clip-opt" "$model"
echo "== after clip-specialize-batch{batch-size=8}, inline, canonicalize"
"$build_dir/bin/clip-opt" "$model" \
  --pass-pipeline='builtin.module(clip-specialize-batch{batch-size=8},inline,canonicalize,symbol-dce)'
