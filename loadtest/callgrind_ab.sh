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
# LAYER=page: instead of hits, pass-through GETs of a conversation history
# page (PAGE_LIMIT messages, default 100), the page the time index learns
# from (SPEC §11.5). A_YAML / B_YAML: YAML appended to side A's / B's config,
# e.g. one binary with and without learning:
#   LAYER=page A_YAML='coalesce: { time_index_entries: 0 }' \
#     loadtest/callgrind_ab.sh build/src/yxgate build/src/yxgate
# Loopback only; every process is stopped by pid.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
old=$1
new=$2
emulator=${3:-$root/build/emulator/yxgate-emulator}
requests=${REQUESTS:-4000}
layer=${LAYER:-local}  # local | redis (cache.local.max_bytes 0, a redis-server of its own) | page | chat
a_yaml=${A_YAML:-}
b_yaml=${B_YAML:-}
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
expect=hit  # X-Yxgate-Cache of every measured request ("" = not checked)
limits=""
if [ "$layer" = page ]; then
  # Pass-throughs spend tokens (SPEC §4): none may be refused while measured.
  limits=", rate_limits: { conversations: { rate: 1000000 } }"
  path="/im/v2.1/conversations/alice%7C1%7Cbob/messages?begin_time=1700000001000&end_time=1700000999000&limit=${PAGE_LIMIT:-100}"
  expect=""
fi
if [ "$layer" = chat ]; then
  # A chatroom page: a plain pass-through (never cached, nothing learned).
  limits=", rate_limits: { chatroom_messages: { rate: 1000000, burst: 1000000 } }"
  path='/im/v2/chatrooms/12/messages?sender_id=yx2&limit=3'
  expect=""
fi
cache_yaml=""
if [ "$layer" = redis ]; then
  redis_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >"$work/redis.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.05; done
  cache_yaml="cache: { local: { max_bytes: 0 }, redis: { url: \"redis://127.0.0.1:$redis_port/0\", timeout: 2s } }"
fi

# instructions of one run of binary $1 serving $2 requests, config extra $3
run() {
  local bin=$1 n=$2 extra=$3 name=run$RANDOM
  cat >"$work/$name.yaml" <<YAML
server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0, threads: 1 }
upstream: { base_url: http://127.0.0.1:$emu_port }
apps: [{ name: default, app_key_env: YX_APP_KEY, app_secret_env: YX_APP_SECRET$limits }]
log: { access_log: false, level: info }
$cache_yaml
$extra
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
  python3 - "$port" "$path" "$((n - 1))" "$expect" <<'PY'
import http.client, sys
port, path, n, expect = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
for _ in range(n):
    c.request("GET", path)
    r = c.getresponse(); data = r.read()
    assert r.status == 200 and data.startswith(b'{"code":200'), data[:80]
    if expect:
        assert r.getheader("X-Yxgate-Cache") == expect, r.getheader("X-Yxgate-Cache")
PY
  kill -TERM "$pid"
  wait "$pid" || true
  callgrind_annotate "$work/$name.cg" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",","",$1); print $1; exit}'
}

per_hit() {
  local bin=$1 extra=$2 many one
  many=$(run "$bin" "$requests" "$extra")
  one=$(run "$bin" 1 "$extra")
  echo $(( (many - one) / (requests - 1) ))
}

a=$(per_hit "$old" "$a_yaml")
b=$(per_hit "$new" "$b_yaml")
what="$layer hit"
[ "$layer" = page ] && what="page pass-through (${PAGE_LIMIT:-100} messages)"
[ "$layer" = chat ] && what="chatroom page pass-through"
echo "| build | instructions per $what |"
echo "| --- | --- |"
echo "| A: $old ${a_yaml:+($a_yaml)} | $a |"
echo "| B: $new ${b_yaml:+($b_yaml)} | $b |"
awk -v a="$a" -v b="$b" 'BEGIN { printf "B/A = %.3f\n", b / a }'
