#!/usr/bin/env bash
# Pass-through benchmark: wrk against yxgate (in front of the emulator) and
# against the emulator directly, same request, in one run. Reports req/s,
# latency and server CPU µs per request (from /proc/<pid>/stat deltas).
# Bounded: each wrk run lasts DURATION seconds. Loopback only.
#   YXGATE_WITH_BENCH=1 ./scripts/install-deps.sh   # wrk
#   ./loadtest/passthrough.sh [build-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-release}
duration=${DURATION:-10}
connections=${CONNECTIONS:-64}
threads=${GATEWAY_THREADS:-1}

if [ ! -x "$build/src/yxgate" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
fi
ninja -C "$build" yxgate yxgate-emulator >/dev/null

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$build/emulator/yxgate-emulator" --listen 127.0.0.1:0 --threads 1 >"$work/emu.out" 2>&1 &
emu_pid=$!; pids+=("$emu_pid")
until grep -q '^listening' "$work/emu.out"; do sleep 0.05; done
emu_port=$(sed -n 's/^listening 127.0.0.1:\([0-9]*\)/\1/p' "$work/emu.out")

cat >"$work/yxgate.yaml" <<YAML
server: { listen: "127.0.0.1:0", admin_listen: "127.0.0.1:0", threads: $threads }
upstream: { base_url: "http://127.0.0.1:$emu_port" }
log: { access_log: false }
YAML
YX_APP_KEY=demo-app-key YX_APP_SECRET=demo-app-secret \
  "$build/src/yxgate" --config "$work/yxgate.yaml" 2>"$work/gw.err" &
gw_pid=$!; pids+=("$gw_pid")
until grep -q '"event":"listening"' "$work/gw.err"; do sleep 0.05; done
gw_port=$(sed -n 's/.*"data_port":\([0-9]*\).*/\1/p' "$work/gw.err")

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

# A signed request for the direct run (the gateway signs its own).
now=$(date +%s); nonce=$(head -c16 /dev/urandom | od -An -tx1 | tr -d ' \n')
sum=$(printf '%s' "demo-app-secret$nonce$now" | sha1sum | cut -d' ' -f1)
path='/im/v2/conversations/alice%7C1%7Cbob/messages/1001'

run() {  # name port pid [headers...]
  local name=$1 port=$2 pid=$3; shift 3
  local args=()
  for h in "$@"; do args+=(-H "$h"); done
  local c0 e0; c0=$(cpu_ticks "$pid"); e0=$(cpu_ticks "$emu_pid")
  local out; out=$(wrk -t1 -c"$connections" -d"${duration}s" --latency "${args[@]}" "http://127.0.0.1:$port$path")
  local c1 e1; c1=$(cpu_ticks "$pid"); e1=$(cpu_ticks "$emu_pid")
  local rps; rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  local reqs; reqs=$(echo "$out" | awk '/requests in/ {print $1}')
  local p50; p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  local p99; p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  local errs; errs=$(echo "$out" | awk '/Non-2xx|Socket errors/ {print}' | tr '\n' ' ')
  local cpu_us; cpu_us=$(awk -v d=$((c1 - c0)) -v n="$reqs" -v hz="$hz" 'BEGIN{printf "%.1f", d / hz * 1e6 / n}')
  local emu_us; emu_us=$(awk -v d=$((e1 - e0)) -v n="$reqs" -v hz="$hz" 'BEGIN{printf "%.1f", d / hz * 1e6 / n}')
  printf '| %-28s | %9s | %8s | %8s | %14s | %16s | %s\n' "$name" "$rps" "$p50" "$p99" "$cpu_us" "$emu_us" "$errs"
}

echo "wrk -t1 -c$connections -d${duration}s, GET single message, yxgate threads=$threads"
printf '| %-28s | %9s | %8s | %8s | %14s | %16s |\n' scenario req/s p50 p99 "server CPU µs/req" "emulator CPU µs/req"
echo "|---|---|---|---|---|---|"
run "emulator direct" "$emu_port" "$emu_pid" "AppKey: demo-app-key" "Nonce: $nonce" "CurTime: $now" "CheckSum: $sum"
run "yxgate -> emulator" "$gw_port" "$gw_pid"
