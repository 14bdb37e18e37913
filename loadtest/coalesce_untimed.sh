#!/usr/bin/env bash
# Coalescing without message_time (SPEC §11.5), one run, side by side: the
# Zipf workload of coalesce.sh as the vendor SDKs send it (no message_time),
# yxgate with create_times learned from history pages, yxgate cold, and
# nginx proxy_cache_lock (scenarios.sh, scenario_coalescing_untimed). Reports
# upstream calls per client request (counted by the emulator), req/s,
# latency and server CPU.
#   YXGATE_WITH_BENCH=1 ./scripts/install-deps.sh && ./loadtest/coalesce_untimed.sh
source "$(dirname "$0")/lib.sh"
source "$root/loadtest/scenarios.sh"
build_release
EMULATOR_THREADS=${EMULATOR_THREADS:-2} start_emulator
scenario_coalescing_untimed
echo "wrk -t1 -c$connections -d${duration}s per row"
print_table
