#!/usr/bin/env bash
# Overload (issue 7): pass-through to an upstream that takes UPSTREAM_MS per
# call, offered about twice what it can serve. Side by side in one run:
# yxgate without shedding (max_inflight very high) and with
# server.max_inflight set to the upstream's capacity. Shows the 503 share,
# latency of all answers and the gateway's RSS before and after.
#   YXGATE_WITH_BENCH=1 ./scripts/install-deps.sh && ./loadtest/overload.sh
source "$(dirname "$0")/lib.sh"
upstream_ms=${UPSTREAM_MS:-50}
pool=${UPSTREAM_CONNECTIONS:-32}
connections=${CONNECTIONS:-$((pool * 2))}
build_release
EMULATOR_THREADS=${EMULATOR_THREADS:-2} start_emulator
emu_latency_ms=$upstream_ms   # bench_row resets the emulator and installs this before each row
common="upstream: { base_url: \"http://127.0.0.1:$emu_port\", max_connections: $pool, timeout: 2s }
$bench_apps"
start_yxgate open "$common" ", max_inflight: 100000"
start_yxgate shed "$common" ", max_inflight: $pool"
path='/im/v2/chatrooms/12/messages?sender_id=yx2&limit=3'

for name in open shed; do
  pid_var=${name}_pid; port_var=${name}_port; admin_var=${name}_admin
  before=$(rss_kb "${!pid_var}")
  row_admin=${!admin_var} bench_row "$name" "2x upstream capacity" \
    "yxgate max_inflight=$([ $name = open ] && echo 100000 || echo $pool)" \
    "http://127.0.0.1:${!port_var}$path" "${!pid_var}" -s "$root/loadtest/status.lua"
  table_note "max_inflight=$([ $name = open ] && echo 100000 || echo $pool): RSS ${before} -> $(rss_kb "${!pid_var}") KiB"
done
echo "pass-through, upstream ${upstream_ms} ms, ${pool} upstream connections (capacity ~$((pool * 1000 / upstream_ms)) req/s), wrk -c$connections"
print_table
