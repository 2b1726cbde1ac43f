#!/usr/bin/env bash
# libFuzzer on the runtime's parsers (test/fuzz), ASan + UBSan.
#   scripts/fuzz.sh TARGET SECONDS   fuzz one harness (safetensors, json, csv,
#                                     idx, image, tar, tokenizer, torch,
#                                     library)
#                                     for SECONDS
#   scripts/fuzz.sh all SECONDS      each harness in turn: its seeds replayed,
#                                     then SECONDS of fuzzing; a table at the end
#   scripts/fuzz.sh model SECONDS    model files through clipc's front end; it
#                                     links the compiler, so it builds in
#                                     build-fuzz-mlir/ and is not part of `all`
# The build is build-fuzz/ (clang, the runtime alone). New inputs go to
# build-fuzz/corpus/TARGET beside the checked-in seeds; a crash leaves its
# input in build-fuzz/ and fails (make it a unit test, then fix it).
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${CLIPC_FUZZ_BUILD_DIR:-$root/build-fuzz}
targets=(safetensors json csv idx image tar tokenizer torch library)
if [ $# -ne 2 ]; then
  echo "usage: scripts/fuzz.sh TARGET|all SECONDS (targets: ${targets[*]})" >&2
  exit 2
fi
what=$1 seconds=$2
compiler=OFF
if [ "$what" = model ]; then
  targets=(model) compiler=ON dir=${CLIPC_FUZZ_MLIR_BUILD_DIR:-$root/build-fuzz-mlir}
elif [ "$what" != all ] && [[ ! " ${targets[*]} " =~ " $what " ]]; then
  echo "fuzz.sh: no harness \`$what\` (targets: ${targets[*]} model)" >&2
  exit 2
fi
[ "$what" = all ] || [ "$what" = model ] || targets=("$what")

flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g -O1"
if [ ! -f "$dir/build.ninja" ]; then
  CC=clang CXX=clang++ cmake -G Ninja -S "$root" -B "$dir" -DCLIPC_BUILD_COMPILER=$compiler \
    -DCLIPC_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS="$flags" \
    -DCMAKE_CXX_FLAGS="$flags" >/dev/null || exit 1
fi
cmake --build "$dir" --target "${targets[@]/#/fuzz-}" >/dev/null || exit 1

status=0
table="| harness | seeds | executions | coverage (edges) | features | corpus | result |\n| --- | ---: | ---: | ---: | ---: | ---: | --- |\n"
for t in "${targets[@]}"; do
  seeds="$root/test/fuzz/corpus/$t" found="$dir/corpus/$t" log="$dir/fuzz-$t.log"
  mkdir -p "$found"
  # Replay: every seed and every input found before runs once more.
  if ! "$dir/bin/fuzz-$t" -runs=0 "$found" "$seeds" >"$log" 2>&1; then
    tail -30 "$log"; status=1; table+="| $t | | | | | | replay FAILED |\n"; continue
  fi
  ( cd "$dir" && ASAN_OPTIONS=detect_leaks=1 "$dir/bin/fuzz-$t" -max_total_time="$seconds" \
      -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 "$found" "$seeds" ) >>"$log" 2>&1
  rc=$?
  done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1)
  execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
  cov=$(grep -oE 'cov: [0-9]+' <<<"$done_line" | grep -oE '[0-9]+')
  ft=$(grep -oE 'ft: [0-9]+' <<<"$done_line" | grep -oE '[0-9]+')
  corp=$(grep -oE 'corp: [0-9]+' <<<"$done_line" | grep -oE '[0-9]+')
  result=ok
  if [ $rc -ne 0 ]; then
    tail -40 "$log"; status=1; result="CRASH (see $log)"
  fi
  table+="| $t | $(ls "$seeds" | wc -l) | ${execs:-?} | ${cov:-?} | ${ft:-?} | ${corp:-?} | $result |\n"
done
printf "%b" "$table"
exit $status
