#!/usr/bin/env bash
# Patch dropout's saving on ViT-B/16's training step on the CPU: the step
# with 0.5 of the patches dropped against the step with all of them, same
# batch, same machine, one after the other (ratio of ms/step).
# Environment: CLIPC_BUILD_DIR, PD_BATCH (default 8), PD_STEPS (default 3).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${CLIPC_BUILD_DIR:-$root/build}
batch=${PD_BATCH:-8} steps=${PD_STEPS:-3}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
config="$root/models/clip/configs/ViT-B-16.json"
for f in 0 0.5; do
  "$build/bin/clipc" "$config" --patch-dropout $f --batch $batch -o "$out/pd$f.so"
  "$build/bin/clip-opt" "--clip-train=batch-size=$batch" --clip-kernels=report=1 \
    <("$build/bin/clip-modelgen" "$config" --patch-dropout $f) -o /dev/null \
    | grep '@train_step' | sed "s/^/patch dropout $f: /"
done
for f in 0 0.5; do
  # The first step warms up (OpenBLAS check, page faults): the mean is of
  # the steps after it.
  "$build/bin/clip-run" step "$out/pd$f.so" --steps $((steps + 1)) | tee "$out/pd$f.log" | tail -1
done
python3 - "$out" "$steps" "$batch" <<'PY'
import re, sys
out, steps, batch = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ms = {}
for f in ("0", "0.5"):
    times = [float(x) for x in re.findall(r"loss \S+\s+([0-9.]+) ms", open(f"{out}/pd{f}.log").read())]
    ms[f] = sum(times[1:]) / len(times[1:])
print(f"ViT-B/16 train step, batch {batch}: patch dropout 0: {ms['0']:.0f} ms, 0.5: {ms['0.5']:.0f} ms, "
      f"ratio {ms['0.5'] / ms['0']:.3f}")
PY
