#!/usr/bin/env bash
# Cache-hit benchmark (issue 3), one run, side by side: yxgate local-layer
# hits, tuned nginx proxy_cache and Varnish hits, yxgate Redis-layer hits
# (local layer disabled) against a standalone redis-server and against a
# 3-master Redis Cluster, and redis-benchmark GET of the same key at the same
# concurrency. Same request (GET one cached message), same emulator upstream.
# The same rows as in run-all.sh (scenarios.sh).
#   YXGATE_WITH_BENCH=1 ./scripts/install-deps.sh && ./loadtest/cache_hit.sh
source "$(dirname "$0")/lib.sh"
source "$root/loadtest/scenarios.sh"
build_release
start_emulator
start_redis
start_redis_cluster
scenario_local_hit
scenario_redis_hit
scenario_redis_cluster_hit
echo "wrk -t1 -c$connections -d${duration}s, GET one cached message; server CPU from /proc"
print_table
