#!/usr/bin/env bash
# Second command of the README, and what CI runs (.ci/run): install what is
# missing, build everything, run the whole test suite; then the same suite
# built with AddressSanitizer + UndefinedBehaviorSanitizer, and each
# libFuzzer target for a bounded time. YXGATE_QUICK=1 stops after the first
# pass (for a quick local loop).
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
build_dir=${YXGATE_BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=ON >/dev/null
ninja -C "$build_dir"
ctest --test-dir "$build_dir" --output-on-failure --timeout 300 -j "$(nproc)"
[ "${YXGATE_QUICK:-0}" = 1 ] && exit 0

echo "== the suite again under ASan + UBSan"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=ON \
  -DYXGATE_SANITIZE=address,undefined >/dev/null
ninja -C build-asan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure --timeout 600 -j "$(nproc)"

echo "== fuzzing (FUZZ_SECONDS=${FUZZ_SECONDS:=15} per target)"
FUZZ_SECONDS=$FUZZ_SECONDS ./scripts/fuzz.sh
