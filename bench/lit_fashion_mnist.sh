#!/usr/bin/env bash
# LiT on Fashion-MNIST: a text tower trained against a frozen image tower.
#   1. CLIP from scratch (the main job's recipe, --epochs E): both towers;
#      its checkpoint's image tower is what LiT locks.
#   2. LiT: that image tower + a freshly initialized text tower and
#      logit_scale, compiled with --lock-image, trained for the same epochs.
# Prints a table: steps, wall time, ms per step, zero-shot top-1/top-5.
# Environment: CLIPC_BUILD_DIR, LIT_EPOCHS (default 1), LIT_OUT.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${CLIPC_BUILD_DIR:-$root/build}
out=${LIT_OUT:-$build/lit}
epochs=${LIT_EPOCHS:-1}
mkdir -p "$out"
batch=128 lr=3e-3 wd=0.1 warmup=50

"$build/bin/clipc" "$root/models/clip/vit_tiny28.mlir" --batch $batch -o "$out/clip.so"
"$build/bin/clipc" "$root/models/clip/vit_tiny28.mlir" --batch $batch --lock-image -o "$out/lit.so"
for so in clip lit; do
  "$build/bin/clip-opt" "--clip-train=batch-size=$batch $([ $so = lit ] && echo lock-image=1)" \
    --clip-kernels=report=1 "$root/models/clip/vit_tiny28.mlir" -o /dev/null | grep '@train_step' \
    | sed "s/^/$so: /"
done

run() {  # name so init...
  local name=$1 so=$2; shift 2
  local start=$(date +%s.%N)
  "$build/bin/clip-run" train "$out/$so" --epochs $epochs --lr $lr --wd $wd --warmup $warmup \
    --log-every 100 --checkpoint "$out/$name.safetensors" "$@" | tee "$out/$name.log"
  echo "$(echo "$(date +%s.%N) - $start" | bc)" > "$out/$name.seconds"
}
run clip clip.so

# The LiT start: the trained image tower, a fresh text tower (seed 1).
"$build/bin/clip-run" step "$out/lit.so" --steps 0 --seed 1 --save-params "$out/fresh.safetensors" >/dev/null
python3 - "$out" <<'PY'
import sys
from safetensors.numpy import load_file, save_file
out = sys.argv[1]
trained, fresh = load_file(f"{out}/clip.safetensors"), load_file(f"{out}/fresh.safetensors")
save_file({k: (trained[k] if k.startswith("visual.") else v) for k, v in fresh.items()},
          f"{out}/lit-init.safetensors")
PY
run lit lit.so --init "$out/lit-init.safetensors"

echo
echo "| run | steps | wall time | ms/step | zero-shot top-1 | top-5 |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
for name in clip lit; do
  steps=$(grep -o 'trained [0-9]* steps' "$out/$name.log" | grep -o '[0-9]*')
  secs=$(cat "$out/$name.seconds")
  top1=$(grep -o 'top-1 [0-9.]*%' "$out/$name.log" | tail -1 | cut -d' ' -f2)
  top5=$(grep -o 'top-5 [0-9.]*%' "$out/$name.log" | tail -1 | cut -d' ' -f2)
  ms=$(grep -o 'trained [0-9]* steps in [^(]*(\([0-9.]*\) s' "$out/$name.log" | grep -o '([0-9.]*' | tr -d '(')
  echo "| $name | $steps | $(printf %.0f "$secs") s | $(echo "scale=1; 1000 * $ms / $steps" | bc) | $top1 | $top5 |"
done
