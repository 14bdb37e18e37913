# Shared helpers for loadtest/*.sh: start servers on free loopback ports,
# measure CPU per request from /proc, run bounded wrk loads, print a table.
# Sourced, not run. Every process started is recorded in $pids and stopped
# by pid on exit.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$root/build-release}
duration=${DURATION:-10}
connections=${CONNECTIONS:-64}
work=$(mktemp -d)
pids=()
hz=$(getconf CLK_TCK)

cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

build_release() {
  if [ ! -f "$build/build.ninja" ]; then
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
  fi
  ninja -C "$build" yxgate yxgate-emulator >/dev/null
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_for() {  # file pattern
  for _ in $(seq 200); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  echo "timed out waiting for '$2' in $1" >&2; cat "$1" >&2; return 1
}

start_emulator() {  # sets emu_port emu_pid
  "$build/emulator/yxgate-emulator" --listen 127.0.0.1:0 --threads "${EMULATOR_THREADS:-1}" \
    >"$work/emu.out" 2>&1 &
  emu_pid=$!; pids+=("$emu_pid")
  wait_for "$work/emu.out" '^listening'
  emu_port=$(sed -n 's/^listening 127.0.0.1:\([0-9]*\)/\1/p' "$work/emu.out")
}

start_redis() {  # sets redis_port redis_pid
  redis_port=$(free_port)
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
    >"$work/redis.out" 2>&1 &
  redis_pid=$!; pids+=("$redis_pid")
  wait_for "$work/redis.out" 'Ready to accept'
}

start_yxgate() {  # name yaml-extra [server-extra] ; sets <name>_port <name>_pid <name>_admin
  local name=$1 extra=$2 server_extra=${3:-}
  cat >"$work/$name.yaml" <<YAML
server: { listen: "127.0.0.1:0", admin_listen: "127.0.0.1:0", threads: ${GATEWAY_THREADS:-1} $server_extra }
log: { access_log: false }
$extra
YAML
  grep -q '^upstream:' "$work/$name.yaml" ||
    echo "upstream: { base_url: \"http://127.0.0.1:$emu_port\" }" >>"$work/$name.yaml"
  YX_APP_KEY=demo-app-key YX_APP_SECRET=demo-app-secret \
    "$build/src/yxgate" --config "$work/$name.yaml" 2>"$work/$name.err" &
  local pid=$!; pids+=("$pid")
  wait_for "$work/$name.err" '"event":"listening"'
  printf -v "${name}_pid" '%s' "$pid"
  printf -v "${name}_port" '%s' "$(sed -n 's/.*"data_port":\([0-9]*\).*/\1/p' "$work/$name.err")"
  printf -v "${name}_admin" '%s' "$(sed -n 's/.*"admin_port":\([0-9]*\).*/\1/p' "$work/$name.err")"
}

# Signing headers valid for 5 minutes (CurTime window), for peers that cannot sign.
sign_headers() {
  local now nonce sum
  now=$(date +%s); nonce=$(head -c16 /dev/urandom | od -An -tx1 | tr -d ' \n')
  sum=$(printf '%s' "demo-app-secret$nonce$now" | sha1sum | cut -d' ' -f1)
  sig_appkey=demo-app-key; sig_nonce=$nonce; sig_curtime=$now; sig_checksum=$sum
}

start_nginx() {  # sets nginx_port nginx_pids (master + workers)
  nginx_port=$(free_port)
  sign_headers
  mkdir -p "$work/nginx/cache" "$work/nginx/tmp"
  # nginx workers drop root privileges: they must reach the cache and temp dirs.
  chmod 755 "$work"; chmod -R 777 "$work/nginx"
  sed -e "s|@PORT@|$nginx_port|g" -e "s|@UPSTREAM@|127.0.0.1:$emu_port|g" \
      -e "s|@WORK@|$work/nginx|g" -e "s|@APPKEY@|$sig_appkey|g" -e "s|@NONCE@|$sig_nonce|g" \
      -e "s|@CURTIME@|$sig_curtime|g" -e "s|@CHECKSUM@|$sig_checksum|g" \
      "$root/loadtest/peers/nginx-cache.conf" >"$work/nginx/nginx.conf"
  nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" 2>"$work/nginx/err" &
  nginx_master=$!; pids+=("$nginx_master")
  for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:$nginx_port/" 2>/dev/null && break
    sleep 0.05
  done
}

cpu_ticks() {  # pids... -> summed utime+stime of each pid and its threads
  local total=0 p
  for p in "$@"; do
    [ -r "/proc/$p/stat" ] && total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "$total"
}

process_group() {  # pid -> the pid and its direct children (nginx workers)
  echo "$1 $(pgrep -P "$1" | tr '\n' ' ')"
}

rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

table_header() {
  printf '| %-34s | %9s | %9s | %9s | %10s | %9s | %s\n' scenario "req/s" p50 p99 "CPU µs/req" "RSS MiB" "notes"
  echo "|---|---|---|---|---|---|---|"
}

# run_wrk name url "server pids" [wrk args...]: one bounded wrk run, one table row.
run_wrk() {
  local name=$1 url=$2 server_pids=$3; shift 3
  local c0; c0=$(cpu_ticks $server_pids)
  local out; out=$(wrk -t1 -c"$connections" -d"${duration}s" --latency "$@" "$url")
  local statuses; statuses=$(echo "$out" | grep "^statuses" || true)
  local c1; c1=$(cpu_ticks $server_pids)
  local rps reqs p50 p99 errs cpu_us rss
  rps=$(echo "$out" | awk '/Requests\/sec/ {printf "%.0f", $2}')
  reqs=$(echo "$out" | awk '/requests in/ {print $1}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  errs=$(echo "$out" | awk '/Non-2xx|Socket errors/ {printf "%s ", $0}')"$statuses"
  cpu_us=$(awk -v d=$((c1 - c0)) -v n="$reqs" -v hz="$hz" 'BEGIN{printf "%.1f", d / hz * 1e6 / n}')
  rss=0
  for p in $server_pids; do rss=$((rss + $(rss_kb "$p"))); done
  printf '| %-34s | %9s | %9s | %9s | %10s | %9s | %s\n' "$name" "$rps" "$p50" "$p99" "$cpu_us" \
    "$((rss / 1024))" "$errs"
}
