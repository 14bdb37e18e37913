#!/usr/bin/env bash
# Instructions per local-cache hit, A/B, counted by valgrind's callgrind:
# repeatable whatever else the machine is doing (toolchain notes), so it
# answers "did this change cost CPU on the hit path?" on a loaded machine
# where wrk's req/s cannot. For each binary: start it under callgrind
# (threads: 1) in front of one emulator, warm one message, send
# REQUESTS keep-alive GETs that hit, stop it; then the same with 1 request;
# the difference / (REQUESTS - 1) is the cost of one hit (startup and
# shutdown cancel out).
#   loadtest/callgrind_ab.sh OLD_YXGATE NEW_YXGATE [EMULATOR]
# Loopback only; every process is stopped by pid.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
old=$1
new=$2
emulator=${3:-$root/build/emulator/yxgate-emulator}
requests=${REQUESTS:-4000}
layer=${LAYER:-local}  # local | redis (cache.local.max_bytes 0, a redis-server of its own)
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

"$emulator" --listen 127.0.0.1:0 >"$work/emu.out" 2>"$work/emu.err" &
pids+=($!)
for _ in $(seq 100); do grep -q listening "$work/emu.out" && break; sleep 0.05; done
emu_port=$(sed -n 's/^listening 127.0.0.1:\([0-9]*\)$/\1/p' "$work/emu.out")
path='/im/v2/conversations/alice%7C1%7Cbob/messages/1001'
cache_yaml=""
if [ "$layer" = redis ]; then
  redis_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >"$work/redis.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.05; done
  cache_yaml="cache: { local: { max_bytes: 0 }, redis: { url: \"redis://127.0.0.1:$redis_port/0\", timeout: 2s } }"
fi

# instructions of one run of binary $1 serving $2 hits
run() {
  local bin=$1 n=$2 name=run$RANDOM
  cat >"$work/$name.yaml" <<YAML
server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0, threads: 1 }
upstream: { base_url: http://127.0.0.1:$emu_port }
apps: [{ name: default, app_key_env: YX_APP_KEY, app_secret_env: YX_APP_SECRET }]
log: { access_log: false, level: info }
$cache_yaml
YAML
  YX_APP_KEY=demo-app-key YX_APP_SECRET=demo-app-secret \
    valgrind --tool=callgrind --callgrind-out-file="$work/$name.cg" "$bin" --config "$work/$name.yaml" \
    >"$work/$name.out" 2>"$work/$name.err" &
  local pid=$!
  pids+=($pid)
  local port=""
  for _ in $(seq 600); do
    port=$(sed -n 's/.*"data_port":\([0-9]*\).*/\1/p' "$work/$name.err" | head -1)
    [ -n "$port" ] && curl -s "http://127.0.0.1:$port$path" >/dev/null 2>&1 && break
    sleep 0.1
  done
  # The first request above filled the cache: the rest are local hits.
  python3 - "$port" "$path" "$((n - 1))" <<'PY'
import http.client, sys
port, path, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
for _ in range(n):
    c.request("GET", path)
    r = c.getresponse(); r.read()
    assert r.getheader("X-Yxgate-Cache") == "hit", r.getheader("X-Yxgate-Cache")
PY
  kill -TERM "$pid"
  wait "$pid" || true
  callgrind_annotate "$work/$name.cg" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",","",$1); print $1; exit}'
}

per_hit() {
  local bin=$1 many one
  many=$(run "$bin" "$requests")
  one=$(run "$bin" 1)
  echo $(( (many - one) / (requests - 1) ))
}

a=$(per_hit "$old")
b=$(per_hit "$new")
echo "| build | instructions per $layer hit |"
echo "| --- | --- |"
echo "| A: $old | $a |"
echo "| B: $new | $b |"
awk -v a="$a" -v b="$b" 'BEGIN { printf "B/A = %.3f\n", b / a }'
