#!/usr/bin/env bash
# Sets up and builds, then runs every test: GoogleTest and the OpenCLIP parity
# tests through ctest, and the lit + FileCheck tests. Exits non-zero if any test fails.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${CLIPC_BUILD_DIR:-$root/build}
# ccache: paths relative to the checkout, so that another clone of it (CI's)
# reuses this one's objects, debug builds (the sanitizers') included.
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1
"$root/scripts/setup.sh" || exit 1

status=0
echo "== ctest (GoogleTest)"
ctest --test-dir "$build_dir" --output-on-failure -j "$(nproc)" -LE parity || status=1

# Verbose, so that the measured errors against OpenCLIP are in the log.
echo "== ctest (parity with OpenCLIP)"
ctest --test-dir "$build_dir" --verbose -L parity || status=1

echo "== lit"
python3 /usr/lib/llvm-19/build/utils/lit/lit.py -sv "$build_dir/test" || status=1

# The runtime, clip-run and their tests built without the compiler (no
# target may see MLIR or LLVM: proved on the compile commands, not just
# assumed), and with AddressSanitizer and UndefinedBehaviorSanitizer: every
# runtime test, then clip-run training, checkpointing and resuming a model
# the main build compiled (its generated code is not instrumented; the
# runtime around it is).
echo "== runtime-only build (-DCLIPC_BUILD_COMPILER=OFF), ASan + UBSan"
runtime_dir=${build_dir}-runtime
sanitize="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
start=$(date +%s)
if cmake -G Ninja -S "$root" -B "$runtime_dir" -DCLIPC_BUILD_COMPILER=OFF \
     -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_FLAGS="$sanitize" \
     -DCMAKE_CXX_FLAGS="$sanitize -O1" -DCMAKE_EXE_LINKER_FLAGS="$sanitize" \
     -DCMAKE_SHARED_LINKER_FLAGS="$sanitize" >/dev/null &&
   cmake --build "$runtime_dir" >/dev/null; then
  echo "runtime-only build: $(( $(date +%s) - start )) s"
  if grep -Eq 'llvm|mlir' "$runtime_dir/compile_commands.json"; then
    echo "runtime-only build: a compile command names LLVM/MLIR"; status=1
  fi
  # The emulated device kernels ran in the main build; here they run once
  # more, under ThreadSanitizer, below. The GEMM shape checks under each
  # OPENBLAS_CORETYPE exercise OpenBLAS, not our code: the main build's run
  # is enough.
  ctest --test-dir "$runtime_dir" --output-on-failure -j "$(nproc)" -LE parity \
    -E '^(CudaKernels|CudaWarp|cpu-gemm-shapes)' || status=1
  "$root/scripts/sanitized-train.sh" "$build_dir" "$runtime_dir" || status=1
else
  status=1
fi

# Every parser under libFuzzer with ASan and UBSan: the checked-in seeds
# replayed, then 10 s of fuzzing each (scripts/fuzz.sh TARGET SECONDS for
# longer runs by hand).
echo "== fuzzing (libFuzzer, ASan + UBSan)"
start=$(date +%s)
"$root/scripts/fuzz.sh" all 10 || status=1
# Model files through the compiler's front end: its own build (clang, the
# compiler's libraries instrumented, MLIR's header assertions on).
"$root/scripts/fuzz.sh" model 10 || status=1
echo "fuzzing: $(( $(date +%s) - start )) s"

# The emulated device kernels (many threads a block, barriers, warp
# collectives) and the batch loader's workers once under ThreadSanitizer. OpenMP runs one thread: libgomp is
# not instrumented, so its own barriers would read as races in the CPU
# reference kernels. NVRTC's tests are not about threads, nor the tiled
# loss's Gaussian-data cases (the exact-data ones cover its schedule).
echo "== emulated CUDA kernels under ThreadSanitizer"
tsan_dir=${build_dir}-tsan
start=$(date +%s)
if cmake -G Ninja -S "$root" -B "$tsan_dir" -DCLIPC_BUILD_COMPILER=OFF \
     -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS="-fsanitize=thread -O1" \
     -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread >/dev/null &&
   cmake --build "$tsan_dir" --target clip-cuda-kernels-tests clip-data-tests >/dev/null; then
  OMP_NUM_THREADS=1 TSAN_OPTIONS="exitcode=66" \
    "$tsan_dir/test/unit/cuda/clip-cuda-kernels-tests" --gtest_filter='-*Nvrtc*:*TiledContrastiveLoss.Gaussian*' \
    >"$tsan_dir/tsan.log" 2>&1 || { tail -60 "$tsan_dir/tsan.log"; status=1; }
  OMP_NUM_THREADS=1 TSAN_OPTIONS="exitcode=66" \
    "$tsan_dir/bin/clip-data-tests" --gtest_filter='Loader.*' \
    >>"$tsan_dir/tsan.log" 2>&1 || { tail -60 "$tsan_dir/tsan.log"; status=1; }
  echo "ThreadSanitizer: $(grep -c 'WARNING: ThreadSanitizer' "$tsan_dir/tsan.log") reports," \
    "$(grep -o '[0-9]* tests\? from [0-9]* test suites\? ran' "$tsan_dir/tsan.log" | paste -sd+)" \
    "($(( $(date +%s) - start )) s)"
else
  echo "ThreadSanitizer build failed"; status=1
fi

if [ "$status" -ne 0 ]; then echo "tests: FAILED"; else echo "tests: all passed"; fi
exit "$status"
