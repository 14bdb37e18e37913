#!/usr/bin/env bash
# Every scenario side by side, in one run, one table (issue 8). One
# emulator, one redis-server; each scenario starts the yxgate instances,
# nginx and Varnish it measures on free loopback ports and stops them after
# (scenarios.sh). DURATION seconds of wrk per row, one row at a time, never
# two loads at once. Progress on stderr; the table and the ratios on stdout.
#   YXGATE_WITH_BENCH=1 ./scripts/install-deps.sh && ./loadtest/run-all.sh
# Rows:
#   local hit     one cached message: yxgate local layer, nginx proxy_cache, Varnish
#   Redis hit     the same message, yxgate with its local layer off (CPU
#                 includes redis-server); redis-benchmark GET of the same key
#   coalescing    cold cache, Zipf reads of hot conversations, slow upstream
#                 (UPSTREAM_MS): yxgate, nginx proxy_cache_lock, Varnish
#   coalescing, no message_time
#                 the same without message_time (the SDKs' QueryMessage):
#                 yxgate with create_times learned from history pages,
#                 yxgate cold, nginx proxy_cache_lock
#   pass-through  chatroom page (never cached): emulator direct, yxgate
#   rate-limited  the same page, yxgate limited to RL_RATE/s, full load
# YXGATE_BASELINE=path/to/an/earlier/yxgate (YXGATE_BASELINE_LABEL=name)
# adds that binary's local hit, Redis hit, coalescing and pass-through rows
# to the same run: the previous release beside this one (issue 18).
source "$(dirname "$0")/lib.sh"
source "$root/loadtest/scenarios.sh"

build_release
start_emulator
start_redis
start_redis_cluster
progress "emulator :$emu_port, redis :$redis_port; wrk -t1 -c$connections -d${duration}s per row"
scenario_local_hit
scenario_redis_hit
scenario_redis_cluster_hit
scenario_coalescing
scenario_coalescing_untimed
scenario_passthrough
scenario_rate_limited

ratio() {  # a b [format] -> a / b, or n/a
  awk -v a="$1" -v b="$2" -v f="${3:-%.2f}" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "n/a"; else printf f "\n", a / b }'
}
echo "$yx per instance; wrk -t1 -c$connections -d${duration}s per row, one row at a time; $(nproc) cores shared by wrk and the servers."
echo
print_table
echo
echo "ratios"
echo "- local hit req/s, yxgate / nginx: $(ratio "${R_rps[local_yx]:-}" "${R_rps[local_nginx]:-}"); yxgate / Varnish: $(ratio "${R_rps[local_yx]:-}" "${R_rps[local_varnish]:-}")"
echo "- local hit CPU µs/req, yxgate / nginx: $(ratio "${R_cpu[local_yx]:-}" "${R_cpu[local_nginx]:-}"); yxgate / Varnish: $(ratio "${R_cpu[local_yx]:-}" "${R_cpu[local_varnish]:-}")"
echo "- Redis hit req/s, yxgate / redis-benchmark GET: $(ratio "${R_rps[redis_yx]:-}" "${R_rps[redis_bench]:-}"); Redis hit / local hit: $(ratio "${R_rps[redis_yx]:-}" "${R_rps[local_yx]:-}")"
echo "- pass-through CPU µs/req ÷ local hit: $(ratio "${R_cpu[pass_yx]:-}" "${R_cpu[local_yx]:-}")"
echo "- coalescing upstream calls per client request, yxgate ÷ nginx: $(ratio "${R_up[coal_yx]:-}" "${R_up[coal_nginx]:-}" %.3f); yxgate ÷ Varnish: $(ratio "${R_up[coal_yx]:-}" "${R_up[coal_varnish]:-}" %.3f)"
echo "- coalescing without message_time, upstream calls per client request: yxgate learned ÷ nginx: $(ratio "${R_up[untimed_learned]:-}" "${R_up[untimed_nginx]:-}" %.3f); yxgate cold ÷ nginx: $(ratio "${R_up[untimed_cold]:-}" "${R_up[untimed_nginx]:-}" %.3f)"
if [ -n "${YXGATE_BASELINE:-}" ]; then
  echo "- baseline ($(baseline_label)) in the same run:" \
    "local hit req/s ÷ nginx $(ratio "${R_rps[local_base]:-}" "${R_rps[local_nginx]:-}"), CPU µs/req ÷ nginx $(ratio "${R_cpu[local_base]:-}" "${R_cpu[local_nginx]:-}");" \
    "Redis hit req/s ÷ its local hit $(ratio "${R_rps[redis_base]:-}" "${R_rps[local_base]:-}");" \
    "coalescing upstream calls ÷ nginx $(ratio "${R_up[coal_base]:-}" "${R_up[coal_nginx]:-}" %.3f);" \
    "pass-through CPU µs/req ÷ its local hit $(ratio "${R_cpu[pass_base]:-}" "${R_cpu[local_base]:-}")"
fi
echo "- sidecar vCPU per 1000 req/s (yxgate process alone: CPU µs/req ÷ 1000):" \
  "local hit $(ratio "${R_cpu_own[local_yx]:-}" 1000 %.4f)," \
  "Redis hit $(ratio "${R_cpu_own[redis_yx]:-}" 1000 %.4f) (+ redis-server $(ratio "$(awk -v a="${R_cpu[redis_yx]:-0}" -v b="${R_cpu_own[redis_yx]:-0}" 'BEGIN{print a - b}')" 1000 %.4f))," \
  "coalescing $(ratio "${R_cpu_own[coal_yx]:-}" 1000 %.4f)," \
  "pass-through $(ratio "${R_cpu_own[pass_yx]:-}" 1000 %.4f)," \
  "rate-limited $(ratio "${R_cpu_own[rl_yx]:-}" 1000 %.4f)"
echo
echo "total runtime: $((SECONDS - t0)) s"
