#!/usr/bin/env bash
# Coalescing benchmark (issue 4), one run, side by side: a cold cache, many
# clients reading recent messages of a few hot conversations (Zipf ids, with
# message_time), an upstream that takes UPSTREAM_MS per call. yxgate folds
# concurrent lookups into batch_messages calls; nginx proxy_cache_lock can
# only fold identical URLs. Reports req/s, latency, server CPU and upstream
# calls per client request (counted by the emulator).
#   YXGATE_WITH_BENCH=1 ./scripts/install-deps.sh && ./loadtest/coalesce.sh
source "$(dirname "$0")/lib.sh"
upstream_ms=${UPSTREAM_MS:-20}
build_release
EMULATOR_THREADS=2 start_emulator
start_yxgate gw "coalesce: { window: ${WINDOW:-2ms}, max_batch: 100 }"
start_nginx
script="$root/loadtest/zipf.lua"

emu() { curl -s -X "$1" "http://127.0.0.1:$emu_port/_emulator/$2" ${3:+-d "$3"}; }
upstream_calls() { emu GET stats | python3 -c 'import json,sys; print(sum(json.load(sys.stdin)["calls"].values()))'; }

row() {  # name port pids
  emu POST reset >/dev/null
  emu POST faults "{\"route\":\"any\",\"kind\":\"latency\",\"latency_ms\":$upstream_ms}" >/dev/null
  local line; line=$(run_wrk "$1" "http://127.0.0.1:$2/" "$3" -s "$script")
  local calls; calls=$(upstream_calls)
  local reqs; reqs=$(echo "$line" | awk -F'|' '{gsub(/ /,"",$3); print $3}')
  printf '%s upstream calls: %s (%.4f per client request at %s req/s)\n' "$line" "$calls" \
    "$(awk -v c="$calls" -v r="$reqs" -v d="$duration" 'BEGIN{print c / (r * d)}')" "$reqs"
}

echo "wrk -t1 -c$connections -d${duration}s, Zipf(s=${ZIPF_S:-1.1}) over ${ZIPF_IDS:-5000} recent ids x 4 conversations, cold cache, upstream latency ${upstream_ms} ms"
table_header
row "yxgate (coalesce + cache)" "$gw_port" "$gw_pid"
row "nginx proxy_cache + proxy_cache_lock" "$nginx_port" "$(process_group "$nginx_master")"
