#!/usr/bin/env bash
# Second command of the README, and what CI runs (.ci/run): install what is
# missing, build everything, run the whole test suite; then the same suite
# built with AddressSanitizer + UndefinedBehaviorSanitizer, the process-level
# suites (e2e, redis, component, harness) built with ThreadSanitizer, and
# each libFuzzer target for a bounded time. Every child process a test
# starts writes its sanitizer reports to its test directory, and a report
# fails that test (tests/README.md). YXGATE_QUICK=1 stops after the first
# pass (for a quick local loop).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
phase() { echo "== $1 (at $((SECONDS - started)) s)"; }

./scripts/install-deps.sh
build_dir=${YXGATE_BUILD_DIR:-build}
phase "build and run the suite"
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=ON >/dev/null
ninja -C "$build_dir"
ctest --test-dir "$build_dir" --output-on-failure --timeout 300 -j "$(nproc)"
[ "${YXGATE_QUICK:-0}" = 1 ] && exit 0

phase "the suite again under ASan + UBSan"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=ON \
  -DYXGATE_SANITIZE=address,undefined >/dev/null
ninja -C build-asan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure --timeout 600 -j "$(nproc)"

phase "the process-level suites under ThreadSanitizer"
cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=ON \
  -DYXGATE_SANITIZE=thread >/dev/null
ninja -C build-tsan yxgate yxgate-emulator e2e_tests redis_tests component_tests harness_tests
# Everything that runs threads: the gateway and emulator under every e2e test
# (coalescing, cache, rate limits, Redis), the Redis client, the harness.
TSAN_OPTIONS=halt_on_error=0:second_deadlock_stack=1:history_size=4:suppressions=$PWD/tests/tsan.supp \
  ctest --test-dir build-tsan --output-on-failure --timeout 900 -j "$(nproc)" -L threads

phase "fuzzing (FUZZ_SECONDS=${FUZZ_SECONDS:=15} per target)"
FUZZ_SECONDS=$FUZZ_SECONDS ./scripts/fuzz.sh
phase "done"
