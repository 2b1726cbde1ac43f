#!/usr/bin/env bash
# Installs what is missing (Debian packages) and builds clipc into build/.
# Idempotent: installed packages and an up-to-date build are left alone.
# Environment: CLIPC_BUILD_DIR (default build), CLIPC_BUILD_TYPE (Release).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${CLIPC_BUILD_DIR:-$root/build}
build_type=${CLIPC_BUILD_TYPE:-Release}

# Toolchain, LLVM/MLIR 19 (libMLIR.so, mlir-tblgen, FileCheck, lit.py), fmt,
# GoogleTest, the Fashion-MNIST data the training job uses, qemu-user
# (a lit test runs clip-run as an older CPU), Open MPI (data-parallel
# training; clip-run builds without it), and clang with libFuzzer and its
# OpenMP (the fuzzing build, scripts/fuzz.sh).
apt_packages=(
  cmake ninja-build g++ ccache lld python3
  llvm-19-dev llvm-19-tools libmlir-19-dev mlir-19-tools
  libfmt-dev libgtest-dev libopenblas-dev libpng-dev libjpeg62-turbo-dev
  dataset-fashion-mnist qemu-user libopenmpi-dev openmpi-bin
  clang libomp-dev
)

missing=()
for pkg in "${apt_packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed'; then
    missing+=("$pkg")
  fi
done
if ((${#missing[@]})); then
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi
  echo "setup: installing ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq \
    --no-install-recommends "${missing[@]}" >/dev/null
fi

# The parity tests compare with PyTorch, OpenCLIP and Hugging Face
# transformers (never used by the product itself). PyPI's torch wheel for
# Linux is the CUDA build (~1.5 min to install); the tests run it on the CPU.
pip_packages=(torch open_clip_torch safetensors numpy pillow torchvision transformers)
if ! python3 -c 'import torch, open_clip, safetensors, numpy, PIL, torchvision, transformers' 2>/dev/null; then
  echo "setup: installing ${pip_packages[*]} (pip)"
  python3 -m pip install --quiet --disable-pip-version-check "${pip_packages[@]}"
fi

"$root/scripts/fetch_bpe_vocab.sh"  # the tokenizer's BPE merges (third_party/clip/, SHA-256 checked)

if [ ! -f "$build_dir/build.ninja" ]; then
  cmake -G Ninja -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE="$build_type" >/dev/null
fi
cmake --build "$build_dir"
