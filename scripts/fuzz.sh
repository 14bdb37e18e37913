#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for FUZZ_SECONDS
# (default 30) on its seed corpus (tests/fuzz/corpus/<target>). New inputs go
# to a scratch corpus; crashes are left in build-fuzz/ and fail the script.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-30}
CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DYXGATE_FUZZ=ON -DBUILD_TESTING=OFF >/dev/null
ninja -C build-fuzz fuzz_route fuzz_config fuzz_upstream_reply fuzz_request_framing
for target in route config upstream_reply request_framing; do
  scratch=build-fuzz/corpus-$target
  mkdir -p "$scratch"
  echo "fuzzing $target for ${seconds}s"
  log=build-fuzz/fuzz-$target.log
  if ! (cd build-fuzz && ./tests/fuzz/fuzz_$target -max_total_time="$seconds" -max_len=8192 \
        -print_final_stats=1 "corpus-$target" "../tests/fuzz/corpus/$target") >"$log" 2>&1; then
    tail -60 "$log"
    echo "fuzz_$target failed: the crashing input is in build-fuzz/ (crash-*)" >&2
    exit 1
  fi
  grep -E 'stat::(average_exec_per_sec|number_of_executed_units|new_units_added)' "$log" || true
done
