# Shared helpers for loadtest/*.sh: start servers on free loopback ports,
# measure CPU per request from /proc, run bounded wrk loads, collect rows
# and print one markdown table. Sourced, not run. Every process started is
# recorded in $pids and stopped by pid (stop_proc, or on exit); nothing is
# ever stopped by name.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$root/build-release}
duration=${DURATION:-10}
connections=${CONNECTIONS:-64}
work=$(mktemp -d)
pids=()
hz=$(getconf CLK_TCK)
t0=$SECONDS

cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT   # run the EXIT trap on Ctrl-C / kill too (once the
trap 'exit 143' TERM  # foreground command, at most one bounded row, returns)

progress() { printf '[%4ds] %s\n' $((SECONDS - t0)) "$*" >&2; }

build_release() {  # YXGATE_NO_BUILD=1: use the binaries already in $BUILD_DIR
  if [ "${YXGATE_NO_BUILD:-0}" = 1 ]; then
    [ -x "$build/src/yxgate" ] && [ -x "$build/emulator/yxgate-emulator" ] && return 0
    echo "YXGATE_NO_BUILD=1 but no yxgate/yxgate-emulator under $build" >&2; return 1
  fi
  if [ ! -f "$build/build.ninja" ]; then
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
  fi
  ninja -C "$build" yxgate yxgate-emulator >/dev/null
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_for() {  # file pattern [tries of 50 ms, default 200]
  local _
  for _ in $(seq "${3:-200}"); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  echo "timed out waiting for '$2' in $1" >&2; cat "$1" >&2; return 1
}

wait_http() {  # url: until anything answers (at most 10 s)
  local _
  for _ in $(seq 200); do curl -s -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.05; done
  echo "nothing answers on $1" >&2; return 1
}

stop_proc() {  # pid: SIGTERM, wait (at most 10 s, then SIGKILL), forget it
  local pid=$1 _ p keep=()
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  for p in "${pids[@]}"; do [ "$p" = "$pid" ] || keep+=("$p"); done
  pids=("${keep[@]}")
}

# --- the upstream emulator -------------------------------------------------

emu_latency_ms=0  # latency fault emu_prepare installs (0: none)

start_emulator() {  # sets emu_port emu_pid
  "$build/emulator/yxgate-emulator" --listen 127.0.0.1:0 --threads "${EMULATOR_THREADS:-1}" \
    >"$work/emu.out" 2>&1 &
  emu_pid=$!; pids+=("$emu_pid")
  wait_for "$work/emu.out" '^listening'
  emu_port=$(sed -n 's/^listening 127.0.0.1:\([0-9]*\)/\1/p' "$work/emu.out")
}

emu() {  # METHOD control-path [json body]
  curl -s -X "$1" "http://127.0.0.1:$emu_port/_emulator/$2" ${3:+-d "$3"}
}

emu_prepare() {  # reset stats (and faults), then install the latency fault if any
  emu POST reset >/dev/null
  if [ "$emu_latency_ms" -gt 0 ]; then
    emu POST faults "{\"route\":\"any\",\"kind\":\"latency\",\"latency_ms\":$emu_latency_ms}" >/dev/null
  fi
}

emu_calls() {  # signed API calls the emulator received since the last reset
  emu GET stats | python3 -c 'import json,sys; print(sum(json.load(sys.stdin)["calls"].values()))'
}

# --- servers ----------------------------------------------------------------

start_redis() {  # sets redis_port redis_pid
  redis_port=$(free_port)
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
    >"$work/redis.out" 2>&1 &
  redis_pid=$!; pids+=("$redis_pid")
  wait_for "$work/redis.out" 'Ready to accept'
}

start_redis_cluster() {  # 3 masters, no replicas; sets cluster_nodes ("h:p, ...") cluster_pids
  local i port cport dir addrs=() _
  cluster_pids=""
  for i in 0 1 2; do
    port=$(free_port); cport=$(free_port); dir="$work/cluster-$i"; mkdir -p "$dir"
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" \
      --cluster-enabled yes --cluster-port "$cport" >"$dir/out" 2>&1 &
    pids+=("$!"); cluster_pids="$cluster_pids $!"
    wait_for "$dir/out" 'Ready to accept'
    addrs+=("127.0.0.1:$port")
  done
  redis-cli --cluster create "${addrs[@]}" --cluster-yes >"$work/cluster-create.out" 2>&1
  for _ in $(seq 200); do
    redis-cli -p "${addrs[0]#*:}" cluster info | grep -q cluster_state:ok && break; sleep 0.05
  done
  cluster_nodes=$(IFS=,; echo "${addrs[*]}" | sed 's/,/, /g')
}

# Rate limits for benchmark instances. SPEC §4's defaults (chatroom_messages
# 50/s, batch_messages 20/s...) would turn a pass-through or coalescing
# benchmark into a benchmark of 416 answers; every yxgate instance gets
# these unless its yaml-extra has its own "apps:".
bench_limit='{ rate: 1000000, burst: 1000000 }'
bench_apps="apps: [{ name: default, app_key_env: YX_APP_KEY, app_secret_env: YX_APP_SECRET, rate_limits: { default: $bench_limit, get_message: $bench_limit, batch_messages: $bench_limit, chatroom_messages: $bench_limit, thread_messages: $bench_limit, conversations: $bench_limit } }]"

start_yxgate() {  # name yaml-extra [server-extra] ; sets <name>_port <name>_pid <name>_admin
  # yx_bin=PATH: another yxgate binary (e.g. a build from before a change)
  local name=$1 extra=$2 server_extra=${3:-}
  cat >"$work/$name.yaml" <<YAML
server: { listen: "127.0.0.1:0", admin_listen: "127.0.0.1:0", threads: ${GATEWAY_THREADS:-1} $server_extra }
log: { access_log: false }
$extra
YAML
  grep -q '^upstream:' "$work/$name.yaml" ||
    echo "upstream: { base_url: \"http://127.0.0.1:$emu_port\" }" >>"$work/$name.yaml"
  grep -q '^apps:' "$work/$name.yaml" || echo "$bench_apps" >>"$work/$name.yaml"
  YX_APP_KEY=demo-app-key YX_APP_SECRET=demo-app-secret \
    "${yx_bin:-$build/src/yxgate}" --config "$work/$name.yaml" 2>"$work/$name.err" &
  local pid=$!; pids+=("$pid")
  wait_for "$work/$name.err" '"event":"listening"'
  printf -v "${name}_pid" '%s' "$pid"
  printf -v "${name}_port" '%s' "$(sed -n 's/.*"data_port":\([0-9]*\).*/\1/p' "$work/$name.err")"
  printf -v "${name}_admin" '%s' "$(sed -n 's/.*"admin_port":\([0-9]*\).*/\1/p' "$work/$name.err")"
}

# Signing headers valid for 5 minutes (CurTime window), for peers that cannot
# sign per request. Scripts start nginx/Varnish per scenario, so a run longer
# than 5 minutes still sends fresh ones.
sign_headers() {
  local now nonce sum
  now=$(date +%s); nonce=$(head -c16 /dev/urandom | od -An -tx1 | tr -d ' \n')
  sum=$(printf '%s' "demo-app-secret$nonce$now" | sha1sum | cut -d' ' -f1)
  sig_appkey=demo-app-key; sig_nonce=$nonce; sig_curtime=$now; sig_checksum=$sum
}

fill_peer_template() {  # template port -> stdout, placeholders filled in
  sed -e "s|@PORT@|$2|g" -e "s|@UPSTREAM@|127.0.0.1:$emu_port|g" -e "s|@UPSTREAM_PORT@|$emu_port|g" \
      -e "s|@APPKEY@|$sig_appkey|g" -e "s|@NONCE@|$sig_nonce|g" \
      -e "s|@CURTIME@|$sig_curtime|g" -e "s|@CHECKSUM@|$sig_checksum|g" "$1"
}

start_nginx() {  # [name, default nginx]; sets <name>_port <name>_pid (the master; workers are its children)
  local name=${1:-nginx} dir port pid
  dir=$work/$name; port=$(free_port)
  sign_headers
  mkdir -p "$dir/cache" "$dir/tmp"
  # nginx workers drop root privileges: they must reach the cache and temp dirs.
  chmod 755 "$work"; chmod -R 777 "$dir"
  fill_peer_template "$root/loadtest/peers/nginx-cache.conf" "$port" | sed "s|@WORK@|$dir|g" >"$dir/nginx.conf"
  nginx -c "$dir/nginx.conf" -p "$dir" 2>"$dir/err" &
  pid=$!; pids+=("$pid")
  wait_http "http://127.0.0.1:$port/"
  printf -v "${name}_pid" '%s' "$pid"
  printf -v "${name}_port" '%s' "$port"
}

# Varnish in the foreground (-F): the manager is $!, the cache child its child
# (process_group). No CLI (-T none). As root varnishd uses its default "unix"
# jail: the manager switches to user varnish and the child to vcache (both
# created by the Debian package), so $work must be traversable; as any other
# user it runs unjailed. Thread pools: one per core (2), 50 threads each
# kept warm — 64 client connections plus backend fetches without spawning
# threads mid-run; at most 500 each. The shared-memory log (VSL) keeps only
# error records: the equivalent of nginx's "access_log off" (it costs a few
# µs per request and ~80 MiB of touched log space otherwise).
# VARNISH_PARAMS adds more "-p name=value".
start_varnish() {  # [name, default varnish]; sets <name>_port <name>_pid
  local name=${1:-varnish} dir port pid mask
  dir=$work/$name; port=$(free_port)
  sign_headers
  mkdir -p "$dir"; chmod 755 "$work" "$dir"
  fill_peer_template "$root/loadtest/peers/varnish.vcl" "$port" >"$dir/default.vcl"
  chmod 644 "$dir/default.vcl"
  mask=$(varnishd -x vsl 2>/dev/null | awk '
    prev ~ /^[A-Za-z_0-9]+$/ && /^-+$/ && prev !~ /^(Error|FetchError|VCL_Error|Notice|SessError|CLI|Backend_health)$/ {
      printf "%s-%s", sep, prev; sep = "," }
    { prev = $0 }')
  # shellcheck disable=SC2086  # VARNISH_PARAMS is a list of words
  varnishd -F -a "127.0.0.1:$port" -T none -n "$dir/n" -f "$dir/default.vcl" -s malloc,256m \
    -p thread_pools=2 -p thread_pool_min=50 -p thread_pool_max=500 ${mask:+-p vsl_mask=$mask} \
    ${VARNISH_PARAMS:-} >"$dir/out" 2>&1 &
  pid=$!; pids+=("$pid")
  wait_for "$dir/out" 'Child launched OK' 600   # compiling the VCL takes a few seconds
  wait_http "http://127.0.0.1:$port/"
  printf -v "${name}_pid" '%s' "$pid"
  printf -v "${name}_port" '%s' "$port"
}

# --- measuring --------------------------------------------------------------

cpu_ticks() {  # pids... -> summed utime+stime of each process (all its threads)
  local total=0 p
  for p in "$@"; do
    [ -r "/proc/$p/stat" ] && total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "$total"
}

process_group() {  # pid -> the pid and its direct children (nginx workers, Varnish's cache child)
  echo "$1 $(pgrep -P "$1" | tr '\n' ' ')"
}

rss_kb() {  # pids... -> summed VmRSS in KiB
  local total=0 p
  for p in "$@"; do
    [ -r "/proc/$p/status" ] && total=$((total + $(awk '/VmRSS/ {print $2}' "/proc/$p/status")))
  done
  echo "$total"
}

yx_counts() {  # admin port -> "key value" lines: answers per X-Yxgate-Cache value, rate-limit rejections
  curl -s "http://127.0.0.1:$1/metrics" | awk '
    /^yxgate_http_requests_total\{/ { match($0, /cache="[^"]*"/); c[substr($0, RSTART + 7, RLENGTH - 8)] += $NF }
    /^yxgate_ratelimit_decisions_total\{.*decision="rejected"/ { c["rate_limited"] += $NF }
    END { for (k in c) print k, c[k] }'
}

yx_notes() {  # before-file after-file -> e.g. "cache hit=100.0%" [" rate-limited(416)=N"]
  awk 'FILENAME == ARGV[1] { a[$1] = $2; next } { d[$1] = $2 - a[$1] }
    END {
      for (k in d) if (k != "none" && k != "rate_limited") total += d[k]
      s = ""
      if (total > 0) {
        s = "cache"
        n = split("hit coalesced miss bypass partial", order, " ")
        for (i = 1; i <= n; i++) if (d[order[i]] > 0) s = s sprintf(" %s=%.1f%%", order[i], 100 * d[order[i]] / total)
      }
      if (d["rate_limited"] > 0) s = s (s == "" ? "" : "; ") "rate-limited(416)=" d["rate_limited"]
      print s
    }' "$1" "$2"
}

# measure url "pids" [wrk args...]: one bounded wrk run (wrk -d, and a hard
# timeout). Sets m_rps m_reqs m_p50 m_p99 m_cpu (µs/req, all pids) m_cpu_own
# (µs/req, first pid alone) m_rss (MiB, all pids) m_notes m_out.
measure() {
  local url=$1 server_pids=$2; shift 2
  local own=${server_pids%% *}
  local c0 o0 c1 o1
  c0=$(cpu_ticks $server_pids); o0=$(cpu_ticks "$own")
  m_out=$(timeout $((duration + 30)) wrk -t1 -c"$connections" -d"${duration}s" --latency "$@" "$url")
  c1=$(cpu_ticks $server_pids); o1=$(cpu_ticks "$own")
  m_rps=$(echo "$m_out" | awk '/Requests\/sec/ {printf "%.0f", $2}')
  m_reqs=$(echo "$m_out" | awk '/requests in/ {print $1}')
  m_p50=$(echo "$m_out" | awk '$1=="50%" {print $2}')
  m_p99=$(echo "$m_out" | awk '$1=="99%" {print $2}')
  m_notes=$(echo "$m_out" | awk '/Non-2xx|Socket errors|^statuses|^codes/ {gsub(/^ +/, ""); printf "%s%s", sep, $0; sep="; "}')
  # status.lua's "codes" line: the share of each body code other than 200
  m_notes+=$(echo "$m_out" | awk '/^codes/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); n[kv[1]] = kv[2]; t += kv[2] } }
    END { for (k in n) if (k != "200" && t) printf "; body code %s: %.1f%%", k, 100 * n[k] / t }')
  m_cpu=$(awk -v d=$((c1 - c0)) -v n="$m_reqs" -v hz="$hz" 'BEGIN{printf "%.1f", n ? d / hz * 1e6 / n : 0}')
  m_cpu_own=$(awk -v d=$((o1 - o0)) -v n="$m_reqs" -v hz="$hz" 'BEGIN{printf "%.1f", n ? d / hz * 1e6 / n : 0}')
  m_rss=$(awk -v k="$(rss_kb $server_pids)" 'BEGIN{printf "%.1f", k / 1024}')
}

# --- the table --------------------------------------------------------------

table_rows=()
table_notes=()
declare -A R_rps=() R_cpu=() R_cpu_own=() R_up=()

table_note() { table_notes+=("$1"); }  # a line printed under the table

add_row() {  # key scenario server req/s p50 p99 cpu upstream rss notes
  R_rps[$1]=$4; R_cpu[$1]=$7; R_up[$1]=$8
  table_rows+=("$(printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |' "$2" "$3" "$4" "$5" "$6" "$7" "$8" "$9" "${10}")")
  progress "$2 / $3: $4 req/s, p99 $6, $7 µs/req, upstream/req $8${10:+ (${10})}"
}

print_table() {
  echo "| scenario | server | req/s | p50 | p99 | CPU µs/req | upstream calls/client req | RSS MiB | notes |"
  echo "|---|---|--:|--:|--:|--:|--:|--:|---|"
  printf '%s\n' "${table_rows[@]}"
  [ ${#table_notes[@]} -eq 0 ] || { echo; printf '%s\n' "${table_notes[@]}"; }
}

# bench_row key scenario server url "pids" [wrk args...]: one wrk row. The
# emulator is reset first (stats, faults; then emu_latency_ms is installed).
# Globals read: row_admin (a yxgate admin port: notes from its /metrics),
# row_upstream (1, the default: count the emulator's calls per client
# request; 0: the server is the emulator itself, "—"), row_own_label (with
# several pids: also note the first pid's own CPU µs/req under this label).
bench_row() {
  local key=$1 scenario=$2 server=$3 url=$4 server_pids=$5; shift 5
  local admin=${row_admin:-} up="—" notes calls yx=""
  progress "$scenario / $server: ${duration}s of wrk -c$connections"
  [ -n "${emu_port:-}" ] && emu_prepare
  [ -n "$admin" ] && yx_counts "$admin" >"$work/metrics.before"
  measure "$url" "$server_pids" "$@"
  if [ "${row_upstream:-1}" = 1 ]; then
    calls=$(emu_calls)
    up=$(awk -v c="$calls" -v n="$m_reqs" 'BEGIN{printf "%.4f", n ? c / n : 0}')
  fi
  if [ -n "$admin" ]; then
    yx_counts "$admin" >"$work/metrics.after"
    yx=$(yx_notes "$work/metrics.before" "$work/metrics.after")
  fi
  [ -n "${row_own_label:-}" ] && yx="${yx:+$yx; }$row_own_label $m_cpu_own µs/req"
  notes="$yx${m_notes:+${yx:+; }$m_notes}"
  R_cpu_own[$key]=$m_cpu_own
  add_row "$key" "$scenario" "$server" "$m_rps" "$m_p50" "$m_p99" "$m_cpu" "$up" "$m_rss" "$notes"
}

# redis_row key scenario server KEY: redis-benchmark GET of one existing key
# at the same concurrency, single-threaded client like wrk -t1; bounded by
# request count (REDIS_REQUESTS, default 40000 per second of DURATION) and a
# hard timeout. CPU = redis-server's.
redis_row() {
  local key=$1 scenario=$2 server=$3 rkey=$4
  local n=${REDIS_REQUESTS:-$((40000 * duration))} c0 c1 out rps p50 p99 cpu bytes
  progress "$scenario / $server: redis-benchmark -c$connections -n $n GET $rkey"
  bytes=$(redis-cli -p "$redis_port" strlen "$rkey")
  c0=$(cpu_ticks "$redis_pid")
  out=$(timeout $((duration * 3 + 30)) redis-benchmark -p "$redis_port" -c "$connections" -n "$n" --csv GET "$rkey")
  c1=$(cpu_ticks "$redis_pid")
  # "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
  rps=$(echo "$out" | awk -F'","' 'NR == 2 {printf "%.0f", $2}')
  p50=$(echo "$out" | awk -F'","' 'NR == 2 {printf "%.2fms", $5}')
  p99=$(echo "$out" | awk -F'","' 'NR == 2 {printf "%.2fms", $7}')
  cpu=$(awk -v d=$((c1 - c0)) -v n="$n" -v hz="$hz" 'BEGIN{printf "%.1f", d / hz * 1e6 / n}')
  add_row "$key" "$scenario" "$server" "$rps" "$p50" "$p99" "$cpu" "—" \
    "$(awk -v k="$(rss_kb "$redis_pid")" 'BEGIN{printf "%.1f", k / 1024}')" \
    "GET of the key yxgate reads ($bytes bytes), -n $n"
}
