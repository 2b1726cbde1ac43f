#!/usr/bin/env bash
# Sets up and builds, then runs every test: GoogleTest and the OpenCLIP parity
# tests through ctest, and the lit + FileCheck tests. Exits non-zero if any test fails.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${CLIPC_BUILD_DIR:-$root/build}
"$root/scripts/setup.sh" || exit 1

status=0
echo "== ctest (GoogleTest)"
ctest --test-dir "$build_dir" --output-on-failure -j "$(nproc)" -LE parity || status=1

# Verbose, so that the measured errors against OpenCLIP are in the log.
echo "== ctest (parity with OpenCLIP)"
ctest --test-dir "$build_dir" --verbose -L parity || status=1

echo "== lit"
python3 /usr/lib/llvm-19/build/utils/lit/lit.py -sv "$build_dir/test" || status=1

# The runtime, clip-run and their tests built without the compiler: no target
# may see MLIR or LLVM (proved on the compile commands, not just assumed).
echo "== runtime-only build (-DCLIPC_BUILD_COMPILER=OFF)"
runtime_dir=${build_dir}-runtime
start=$(date +%s)
if cmake -G Ninja -S "$root" -B "$runtime_dir" -DCLIPC_BUILD_COMPILER=OFF \
     -DCMAKE_BUILD_TYPE=Release >/dev/null && cmake --build "$runtime_dir"; then
  echo "runtime-only build: $(( $(date +%s) - start )) s"
  if grep -Eq 'llvm|mlir' "$runtime_dir/compile_commands.json"; then
    echo "runtime-only build: a compile command names LLVM/MLIR"; status=1
  fi
  ctest --test-dir "$runtime_dir" --output-on-failure -j "$(nproc)" -LE parity || status=1
else
  status=1
fi

if [ "$status" -ne 0 ]; then echo "tests: FAILED"; else echo "tests: all passed"; fi
exit "$status"
