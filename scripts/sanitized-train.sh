#!/usr/bin/env bash
# clip-run from the sanitized runtime-only build (scripts/test.sh) on a model
# the main build compiles: loading and checking the clip.so, training with
# two loader workers, writing checkpoints, resuming, embedding and `info`.
#   scripts/sanitized-train.sh MAIN_BUILD SANITIZED_BUILD
# Any ASan/UBSan report ends clip-run with a non-zero status, failing this.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
main=$1 sanitized=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run=("$sanitized/bin/clip-run")
start=$(date +%s)
"$main/bin/clipc" "$root/models/clip/vit_tiny28.mlir" --batch 16 -o "$work/tiny.so"
"${run[@]}" info "$work/tiny.so" >/dev/null
common=(train "$work/tiny.so" --no-eval --workers 2 --seed 3 --checkpoint "$work/ckpt.safetensors")
"${run[@]}" "${common[@]}" --steps 4 --save-every 2 >/dev/null
"${run[@]}" "${common[@]}" --steps 6 --resume "$work/ckpt.safetensors" >/dev/null
printf 'a photo of a sneaker\na photo of a bag\n' >"$work/texts.txt"
"${run[@]}" embed "$work/tiny.so" --params "$work/ckpt.safetensors" \
  --texts "$work/texts.txt" --out "$work/texts.safetensors" >/dev/null
echo "clip-run under ASan + UBSan: info, train 4 steps + resume to 6, embed:" \
  "no reports ($(( $(date +%s) - start )) s)"
