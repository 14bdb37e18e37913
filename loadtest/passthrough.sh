#!/usr/bin/env bash
# Pass-through benchmark (issue 2): wrk against yxgate (in front of the
# emulator) and against the emulator directly, same request, one run; with
# RATE_LIMITED=1 also the rate-limited row of run-all.sh (scenarios.sh).
#   YXGATE_WITH_BENCH=1 ./scripts/install-deps.sh && ./loadtest/passthrough.sh
source "$(dirname "$0")/lib.sh"
source "$root/loadtest/scenarios.sh"
build_release
start_emulator
scenario_passthrough
[ "${RATE_LIMITED:-0}" = 1 ] && scenario_rate_limited
echo "wrk -t1 -c$connections -d${duration}s, GET chatroom page (pass-through, never cached)"
print_table
