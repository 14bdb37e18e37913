#!/usr/bin/env bash
# Coalescing benchmark (issue 4), one run, side by side: a cold cache, many
# clients reading recent messages of a few hot conversations (Zipf ids, with
# message_time), an upstream that takes UPSTREAM_MS per call. yxgate folds
# concurrent lookups into batch_messages calls; nginx proxy_cache_lock and
# Varnish's waiting list can only fold identical URLs. Reports req/s,
# latency, server CPU and upstream calls per client request (counted by the
# emulator). The same rows as in run-all.sh (scenarios.sh).
#   YXGATE_WITH_BENCH=1 ./scripts/install-deps.sh && ./loadtest/coalesce.sh
# YXGATE_BASELINE=path/to/other/yxgate adds the yxgate row run with that binary.
source "$(dirname "$0")/lib.sh"
source "$root/loadtest/scenarios.sh"
build_release
EMULATOR_THREADS=${EMULATOR_THREADS:-2} start_emulator
scenario_coalescing
echo "wrk -t1 -c$connections -d${duration}s per row"
print_table
per_nginx() {  # key -> upstream calls per client request of that row / nginx's
  awk -v a="${R_up[$1]:-}" -v b="${R_up[coal_nginx]:-}" 'BEGIN{ if (a == "" || b == "" || b + 0 == 0) print "n/a"; else printf "%.3f", a / b }'
}
echo "upstream calls per client request ÷ nginx proxy_cache_lock: yxgate $(per_nginx coal_yx)${R_up[coal_base]:+; baseline $(per_nginx coal_base)}"
