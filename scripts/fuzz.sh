#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for FUZZ_SECONDS
# (default 30; 10 targets) on its seed corpus (tests/fuzz/corpus/<target>).
# New inputs go to a scratch corpus; crashes are left in build-fuzz/ and
# fail the script.
# Replay one: build-fuzz/tests/fuzz/fuzz_<target> build-fuzz/crash-<sha1>
# (each target's header says what its oracle checks).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-30}
CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DYXGATE_FUZZ=ON -DBUILD_TESTING=OFF >/dev/null
targets="route config upstream_reply invalidation body_code modify_msg header_filter redis_reply request_framing page_times"
ninja -C build-fuzz $(printf 'fuzz_%s ' $targets)
for target in $targets; do
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
