#!/usr/bin/env bash
# Runs on the GPU machine, from the folder scripts/gpu-bundle.sh wrote
# (bundle/scripts/gpu-check.sh): validates the CUDA path against the CPU and
# benchmarks it beside PyTorch on the same GPU, in one call of under 10
# minutes. Everything is logged to $OUT (default ./gpu-check-logs); a
# summary table comes last; the exit status is non-zero when a result is
# wrong (a benchmark's speed never fails it).
#
#   bundle/scripts/gpu-check.sh [--quick]     (--quick: no training, no PyTorch)
set -uo pipefail

bundle=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${OUT:-$PWD/gpu-check-logs}
mkdir -p "$out"
# clip-run, the libraries and the clip.so files travel packed.
here=$out/bundle
mkdir -p "$here"
python3 -c "import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])" \
  "$bundle/payload.tar.xz" "$here" || { echo "cannot unpack $bundle/payload.tar.xz"; exit 1; }
ln -sfn "$bundle/data" "$here/data"
ln -sfn "$bundle/bench" "$here/bench"
ln -sfn "$bundle/scripts" "$here/scripts"
export LD_LIBRARY_PATH="/usr/local/cuda/lib64:$here/lib:${LD_LIBRARY_PATH:-}"
export CLIPC_BPE_VOCAB="$here/data/bpe_simple_vocab_16e6.txt.gz"
export CLIPC_CACHE_DIR="$out/nvrtc-cache"
run=$here/bin/clip-run
models=$here/models
compare="python3 $here/scripts/compare_outputs.py"
quick=${1:-}
rows=()
failed=0
start=$(date +%s)

row() { rows+=("$(printf '%-44s %-8s %s' "$1" "$2" "$3")"); [ "$2" = FAIL ] && failed=1; }
# check NAME LOG COMMAND...: runs it, logs it, one table row.
check() {
  local name=$1 log=$out/$2; shift 2
  local t0=$(date +%s)
  if "$@" >"$log" 2>&1; then row "$name" ok "$(tail -1 "$log" | cut -c1-110) ($(( $(date +%s) - t0 )) s)"
  else row "$name" FAIL "see $log: $(tail -1 "$log" | cut -c1-90)"; fi
}

{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
  "$run" info "$models/tiny-bf16.so" | head -1; } >"$out/machine.log" 2>&1
row "machine" info "$(head -1 "$out/machine.log")"

# The tiny ViT, CPU against GPU, every output.
for p in fp32 bf16; do
  "$run" step "$models/tiny-$p.so" --seed 7 --save-params "$out/tiny-params.safetensors" \
    --save-inputs "$out/tiny-inputs.safetensors" --out "$out/tiny-$p-cpu.safetensors" \
    >"$out/tiny-$p-cpu.log" 2>&1 || row "tiny $p CPU step" FAIL "$out/tiny-$p-cpu.log"
  for r in 1 2; do
    CLIPC_CUDA_SYNC=$([ $r = 1 ] && echo 1 || echo 0) "$run" step "$models/tiny-$p.so" \
      --device cuda --params "$out/tiny-params.safetensors" --inputs "$out/tiny-inputs.safetensors" \
      --out "$out/tiny-$p-gpu$r.safetensors" >"$out/tiny-$p-gpu$r.log" 2>&1 \
      || row "tiny $p GPU step (run $r)" FAIL "$(tail -1 "$out/tiny-$p-gpu$r.log")"
  done
  check "tiny $p: GPU runs identical" tiny-$p-identical.log \
    $compare "$out/tiny-$p-gpu1.safetensors" "$out/tiny-$p-gpu2.safetensors" --identical
done
check "tiny fp32: GPU vs CPU (<= 1e-4)" tiny-fp32-compare.log \
  $compare "$out/tiny-fp32-gpu1.safetensors" "$out/tiny-fp32-cpu.safetensors" --bound 1e-4
check "tiny bf16: GPU vs CPU (ratio to fp32 <= 2)" tiny-bf16-compare.log \
  $compare "$out/tiny-bf16-gpu1.safetensors" "$out/tiny-bf16-cpu.safetensors" \
  --against "$out/tiny-fp32-cpu.safetensors" --ratio 2
CLIPC_CUDA_POISON=1 check "tiny bf16: poisoned arena" tiny-bf16-poison.log \
  "$run" step "$models/tiny-bf16.so" --device cuda --params "$out/tiny-params.safetensors" \
  --inputs "$out/tiny-inputs.safetensors"

# NCCL on the GPU, one rank (no launcher there): NcclCommunicator's
# collectives and bucketed all-reduce, ordered against a compute stream.
export LD_LIBRARY_PATH="$LD_LIBRARY_PATH:/usr/local/cuda/lib"
check "NCCL collectives, 1 rank (ours)" nccl.log timeout 120 "$here/bin/clip-nccl-collectives"

# compute-sanitizer refuses under some runtimes ("Device not supported"):
# that is "not available", not a failure.
sanitizer=/usr/local/cuda/bin/compute-sanitizer
if [ -x "$sanitizer" ]; then
  "$sanitizer" --tool memcheck --error-exitcode 9 "$run" step "$models/tiny-fp32.so" \
    --device cuda --seed 7 >"$out/memcheck.log" 2>&1
  rc=$?
  if grep -q "Device not supported\|not supported on this" "$out/memcheck.log"; then
    row "compute-sanitizer memcheck (tiny)" n/a "refused on this machine's runtime"
  elif [ $rc = 0 ]; then row "compute-sanitizer memcheck (tiny)" ok "$(grep -o 'ERROR SUMMARY.*' "$out/memcheck.log" | tail -1)"
  else row "compute-sanitizer memcheck (tiny)" FAIL "see $out/memcheck.log"; fi
else
  row "compute-sanitizer memcheck (tiny)" n/a "no $sanitizer"
fi

# ViT-B/16 at batch 8, CPU against GPU.
"$run" step "$models/vitb16-b8-fp32.so" --seed 3 --save-params "$out/b16-params.safetensors" \
  --save-inputs "$out/b16-inputs.safetensors" --out "$out/b16-cpu.safetensors" \
  >"$out/b16-cpu.log" 2>&1 || row "ViT-B/16 b8 CPU step" FAIL "$out/b16-cpu.log"
"$run" step "$models/vitb16-b8-fp32.so" --device cuda --params "$out/b16-params.safetensors" \
  --inputs "$out/b16-inputs.safetensors" --out "$out/b16-gpu.safetensors" \
  >"$out/b16-gpu.log" 2>&1 || row "ViT-B/16 b8 GPU step" FAIL "$(tail -1 "$out/b16-gpu.log")"
check "ViT-B/16 b8 fp32: GPU vs CPU (<= 1e-4)" b16-compare.log \
  $compare "$out/b16-gpu.safetensors" "$out/b16-cpu.safetensors" --bound 1e-4

# ViT-B/16 at batch 256 in bf16: speed, peak memory, the per-kernel profile.
nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 200 >"$out/b16-256-memory.log" 2>&1 &
smi=$!
check "ViT-B/16 b256 bf16 step (ours)" b16-256.log \
  "$run" step "$models/vitb16-b256-bf16.so" --device cuda --steps 12 --seed 1
kill $smi 2>/dev/null
ours=$(grep -o 'mean .*pairs/s' "$out/b16-256.log" | tail -1)
peak=$(sort -n "$out/b16-256-memory.log" 2>/dev/null | tail -1)
row "ViT-B/16 b256 bf16 peak GPU memory" info "${peak:-?} MiB (nvidia-smi, whole process)"
# The whole training step as clip-run train runs it: the batch through pinned
# memory, the step and the AdamW update as CUDA graphs, nothing read back but
# the loss (the figure set beside PyTorch's training step).
check "ViT-B/16 b256 bf16 train (ours)" b16-256-train.log \
  "$run" train "$models/vitb16-b256-bf16.so" --device cuda --steps 16 --no-eval \
  --workers 12 --fashion-mnist-dir "$here/data" --log-every 4
trained=$(grep -o '[0-9.]* pairs/s' "$out/b16-256-train.log" | tail -1 | cut -d' ' -f1)
CLIPC_CUDA_PROFILE=1 "$run" step "$models/vitb16-b256-bf16.so" --device cuda --steps 1 --seed 1 \
  >"$out/b16-256-profile.log" 2>&1
row "ViT-B/16 b256 bf16 profile" info "$(grep -m1 CLIPC_CUDA_PROFILE "$out/b16-256-profile.log" | cut -c1-100)"

if [ "$quick" != "--quick" ]; then
  # A few hundred training steps on Fashion-MNIST, zero-shot at the end.
  check "train tiny28 bf16, 300 steps + zero-shot" train.log \
    "$run" train "$models/tiny28-bf16.so" --device cuda --steps 300 --lr 3e-3 --wd 0.1 \
    --warmup 50 --fashion-mnist-dir "$here/data" --log-every 50
  row "  zero-shot" info "$(grep -o 'top-1 [0-9.]*%' "$out/train.log" | tail -1)"
  # Batch 512 (bf16 arena 31 GB), as clip-run train runs it.
  check "ViT-B/16 b512 bf16 train (ours)" b16-512-train.log \
    "$run" train "$models/vitb16-b512-bf16.so" --device cuda --steps 12 --no-eval \
    --workers 12 --fashion-mnist-dir "$here/data" --log-every 4
  trained512=$(grep -o '[0-9.]* pairs/s' "$out/b16-512-train.log" | tail -1 | cut -d' ' -f1)
  # PyTorch eager and torch.compile on the same GPU, batches 256 and 512.
  if [ -f "$here/bench/torch_clip_baseline.py" ]; then
    BATCHES=256,512 timeout 300 python3 "$here/bench/torch_clip_baseline.py" >"$out/torch.log" 2>&1
    torch() { # KEY: pairs/s of the baseline's last JSON line
      python3 -c "import json; d=[json.loads(l) for l in open('$out/torch.log') if l.startswith('{') and l.strip().endswith('}')][-1]; print(d['$1']['pairs_per_s'])" 2>/dev/null
    }
    mine256=${trained:-$(echo "$ours" | grep -o '[0-9.]* pairs/s' | cut -d' ' -f1)}
    for b in 256 512; do
      mine=$([ $b = 256 ] && echo "$mine256" || echo "$trained512")
      for mode in eager compile; do
        theirs=$(torch "train_B${b}_$mode")
        row "PyTorch $mode ViT-B/16 b$b bf16" info "${theirs:-?} pairs/s"
        if [ -n "$theirs" ] && [ -n "$mine" ]; then
          row "  ours / PyTorch $mode (b$b)" info "$(python3 -c "print(f'{$mine / $theirs:.2f}x')")"
        fi
      done
    done
  fi
  # The three blocks of issue 17 in PyTorch (attention, LayerNorm +
  # residual, the contrastive loss to batch 65,536): the figures ours are
  # set against.
  if [ -f "$here/bench/torch_blocks_baseline.py" ]; then
    timeout 150 python3 "$here/bench/torch_blocks_baseline.py" >"$out/torch-blocks.log" 2>&1
  fi
fi

# Ours at the same shapes (bench/native/BlocksBench.cpp), beside PyTorch's.
check "blocks (ours): attention, add+LN, loss 65,536" blocks.log \
  timeout 120 "$here/bin/clip-bench-blocks"
python3 - "$out/blocks.log" "$out/torch-blocks.log" >"$out/blocks-table.log" 2>&1 <<'PY'
import json, sys
def last(path):
    try:
        lines = [l for l in open(path) if l.startswith("{") and l.strip().endswith("}")]
        return json.loads(lines[-1]) if lines else {}
    except OSError:
        return {}
ours, theirs = last(sys.argv[1]), last(sys.argv[2])
sdpa, ln, lnc = theirs.get("sdpa_vit_b16", {}), theirs.get("ln_residual_fwd", {}), theirs.get("ln_residual_fwd_compile", {})
closs = theirs.get("closs_B65536")
print(f"attention fwd+bwd (256,12,197,64): ours {ours.get('attention_fwdbwd_ms')} ms, SDPA {sdpa.get('fwdbwd_ms')} ms (target <= 0.55)")
print(f"add+LayerNorm 50432x768: ours {ours.get('ln_residual_GBps')} GB/s, eager {ln.get('GBps')}, compile {lnc.get('GBps')} (target >= 2600)")
print(f"loss fwd+bwd 65,536: ours {ours.get('loss_fwdbwd_ms')} ms, scratch {ours.get('loss_scratch_mib')} MiB; PyTorch {closs} (target <= 40 ms, <= 1 GiB)")
PY
while read -r line; do row "  ${line%%:*}" info "${line#*: }"; done <"$out/blocks-table.log"

{
  echo
  echo "== gpu-check summary ($(( $(date +%s) - start )) s; logs in $out)"
  printf '%s\n' "${rows[@]}"
  [ $failed = 0 ] && echo "gpu-check: every result right" || echo "gpu-check: FAILED"
} | tee "$out/summary.txt"
exit $failed
