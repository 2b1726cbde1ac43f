#!/usr/bin/env bash
# Builds, here, the one folder the GPU machine needs (see ../shared/README.md:
# Ubuntu 24.04, CUDA 13 and PyTorch there; no MLIR and none of our Debian
# libraries): clip-run, the clip.so files scripts/gpu-check.sh runs, every
# shared library that machine lacks (from ldd, glibc's own left out), the
# check scripts, the PyTorch baselines and Fashion-MNIST. The binaries and
# libraries travel as one payload.tar.xz (94 MiB of them, OpenBLAS's 36 MiB
# of every CPU's kernels included, pack into 8), which gpu-check.sh unpacks
# first. Fails when the folder exceeds 64 MiB or a binary has an unresolved
# library under the bundle's own library path.
#
#   scripts/gpu-bundle.sh [OUT]        (default: build/gpu-bundle)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${CLIPC_BUILD_DIR:-$root/build}
out=${1:-$build/gpu-bundle}
limit_mib=64
rm -rf "$out"
mkdir -p "$out/bin" "$out/lib" "$out/models" "$out/scripts" "$out/bench" "$out/data"
ninja -C "$build" clipc clip-run clip-bench-blocks clip-nccl-collectives >/dev/null

echo "== clip.so files"
compile() { # name model batch precision target
  local start=$(date +%s)
  "$build/bin/clipc" "$root/models/clip/$2" --batch "$3" --precision "$4" --target "$5" \
    -o "$out/models/$1.so" | tail -1
  echo "$1.so: $2 batch $3 $4 $5, $(( $(date +%s) - start )) s, $(du -h "$out/models/$1.so" | cut -f1)"
}
compile tiny-fp32 vit_tiny.mlir 4 fp32 all
compile tiny-bf16 vit_tiny.mlir 4 bf16 all
compile tiny28-bf16 vit_tiny28.mlir 128 bf16 all
compile vitb16-b8-fp32 vitb16.mlir 8 fp32 all
compile vitb16-b256-bf16 vitb16.mlir 256 bf16 cuda
compile vitb16-b512-bf16 vitb16.mlir 512 bf16 cuda
strip --strip-unneeded "$out"/models/*.so

echo "== clip-run and the libraries Ubuntu 24.04 lacks"
cp "$build/bin/clip-run" "$build/bin/clip-bench-blocks" "$build/bin/clip-nccl-collectives" \
  "$out/bin/"
strip --strip-unneeded "$out/bin/clip-run" "$out/bin/clip-bench-blocks" \
  "$out/bin/clip-nccl-collectives"
# glibc's libraries are the machine's own (glibc 2.39 there); CUDA's (NCCL
# too) are loaded with dlopen from /usr/local/cuda there.
skip='^(linux-vdso|libc\.so|libm\.so|libdl\.so|librt\.so|libpthread\.so|ld-linux|libcuda|libnvrtc|libcublas)'
for f in "$out"/bin/* "$out"/models/*.so; do
  ldd "$f" | awk '/=>/ {print $1, $3}'
done | sort -u | while read -r name path; do
  if [[ ! "$name" =~ $skip ]] && [ -f "$path" ]; then
    cp -L "$path" "$out/lib/$name"
  fi
done
# OpenBLAS's dependencies (its Fortran runtime) come with it.
for f in "$out"/lib/*; do
  ldd "$f" | awk '/=>/ {print $1, $3}'
done | sort -u | while read -r name path; do
  if [[ ! "$name" =~ $skip ]] && [ -f "$path" ] && [ ! -f "$out/lib/$name" ]; then
    cp -L "$path" "$out/lib/$name"
  fi
done
strip --strip-unneeded "$out"/lib/* 2>/dev/null || true

echo "== scripts, baselines, data, tokenizer vocabulary"
cp "$root/scripts/gpu-check.sh" "$root/test/e2e/compare_outputs.py" "$out/scripts/"
cp "$root"/../shared/bench/*.py "$out/bench/" 2>/dev/null || echo "(no ../shared/bench)"
cp /usr/share/datasets/fashion-mnist/*.gz "$out/data/"
cp "$root/third_party/clip/bpe_simple_vocab_16e6.txt.gz" "$out/data/"

echo "== checks"
status=0
for f in "$out"/bin/* "$out"/models/*.so "$out"/lib/*; do
  if LD_LIBRARY_PATH="$out/lib" ldd "$f" 2>&1 | grep -v libcuda | grep -q "not found"; then
    echo "unresolved under the bundle's library path: $f"
    LD_LIBRARY_PATH="$out/lib" ldd "$f" | grep "not found"
    status=1
  fi
done
LD_LIBRARY_PATH="$out/lib" "$out/bin/clip-run" info "$out/models/tiny-bf16.so" | head -1
echo "libraries: $(ls "$out/lib" | tr '\n' ' ')"
tar -C "$out" -cJf "$out/payload.tar.xz" bin lib models
rm -rf "$out/bin" "$out/lib" "$out/models"
size=$(du -sm "$out" | cut -f1)
echo "bundle: $out, ${size} MiB (limit ${limit_mib}): $(ls "$out" | tr '\n' ' ')"
if [ "$size" -gt "$limit_mib" ]; then echo "bundle too large"; status=1; fi
exit "$status"
