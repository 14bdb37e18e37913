# Scenario functions shared by run-all.sh and the single-scenario scripts
# (cache_hit.sh, coalesce.sh, passthrough.sh). Sourced after lib.sh. Each
# starts the servers it measures — the emulator (and Redis for
# scenario_redis_hit) must already run — adds its rows with bench_row, and
# stops what it started, so scenarios never share a cache or a CPU.

hit_path='/im/v2/conversations/alice%7C1%7Cbob/messages/1001'
pass_path='/im/v2/chatrooms/12/messages?sender_id=yx2&limit=3'
gw_threads=${GATEWAY_THREADS:-1}
yx="yxgate ($gw_threads thread$([ "$gw_threads" = 1 ] || echo s))"

# warm url header: one miss, then a second request that must be a hit —
# body code 200, the emulator asked exactly once for the two.
warm() {
  local url=$1 header=$2 body calls seen
  emu_prepare
  body=$(curl -s "$url")
  seen=$(curl -s -D - -o /dev/null "$url" | tr -d '\r' | awk -v h="$header" 'tolower($0) ~ "^" tolower(h) ":" {print}')
  calls=$(emu_calls)
  case $body in '{"code":200,'*) ;; *) echo "warm $url: unexpected body: $body" >&2; exit 1 ;; esac
  [ "$calls" = 1 ] || { echo "warm $url: 2 requests made $calls upstream calls, expected 1" >&2; exit 1; }
  progress "warmed ${url#http://}: second request '${seen:-no $header}', 1 upstream call for both"
}

# One cached message, ~220-byte body: yxgate's local layer, nginx
# proxy_cache, Varnish. Keys local_yx local_nginx local_varnish.
scenario_local_hit() {
  start_yxgate local ""
  start_nginx nginxhit
  start_varnish varnishhit
  warm "http://127.0.0.1:$local_port$hit_path" X-Yxgate-Cache
  warm "http://127.0.0.1:$nginxhit_port$hit_path" X-Cache   # nginx-cache.conf adds none: 1 upstream call is the proof
  warm "http://127.0.0.1:$varnishhit_port$hit_path" X-Cache
  row_admin=$local_admin bench_row local_yx "local hit" "$yx, local layer" \
    "http://127.0.0.1:$local_port$hit_path" "$local_pid"
  bench_row local_nginx "local hit" "nginx proxy_cache (1 worker)" \
    "http://127.0.0.1:$nginxhit_port$hit_path" "$(process_group "$nginxhit_pid")"
  bench_row local_varnish "local hit" "Varnish (malloc, 2 pools)" \
    "http://127.0.0.1:$varnishhit_port$hit_path" "$(process_group "$varnishhit_pid")"
  stop_proc "$local_pid"; stop_proc "$nginxhit_pid"; stop_proc "$varnishhit_pid"
  if [ -n "${YXGATE_BASELINE:-}" ]; then  # the same row with the previous release, for A/B
    yx_bin=$YXGATE_BASELINE start_yxgate localbase ""
    warm "http://127.0.0.1:$localbase_port$hit_path" X-Yxgate-Cache
    row_admin=$localbase_admin bench_row local_base "local hit" "$(baseline_label), local layer" \
      "http://127.0.0.1:$localbase_port$hit_path" "$localbase_pid"
    stop_proc "$localbase_pid"
  fi
}

baseline_label() { echo "${YXGATE_BASELINE_LABEL:-baseline $YXGATE_BASELINE}"; }

# The same message from Redis: yxgate with cache.local.max_bytes 0 (CPU
# column = yxgate + redis-server), then redis-benchmark GET of the very key
# yxgate reads. Keys redis_yx redis_bench.
scenario_redis_hit() {
  start_yxgate redishit "cache: { local: { max_bytes: 0 }, redis: { url: \"redis://127.0.0.1:$redis_port/0\", timeout: 50ms } }"
  warm "http://127.0.0.1:$redishit_port$hit_path" X-Yxgate-Cache
  row_admin=$redishit_admin row_own_label="yxgate alone" bench_row redis_yx "Redis hit" \
    "$yx, local layer off + redis-server" "http://127.0.0.1:$redishit_port$hit_path" "$redishit_pid $redis_pid"
  # Keys name the app by its AppKey's digest (SPEC §11.1): ask Redis for it.
  local key
  key=$(redis-cli -p "$redis_port" --scan --pattern 'yxgate:*:msg:1001' | head -1)
  redis_row redis_bench "Redis hit" "redis-benchmark GET (ceiling)" "$key"
  stop_proc "$redishit_pid"
  if [ -n "${YXGATE_BASELINE:-}" ]; then
    # Its own key prefix: the row above left the message in Redis, and warm()
    # proves the first request goes upstream.
    yx_bin=$YXGATE_BASELINE start_yxgate redisbase "cache: { local: { max_bytes: 0 }, redis: { url: \"redis://127.0.0.1:$redis_port/0\", timeout: 50ms, key_prefix: \"yxbase:\" } }"
    warm "http://127.0.0.1:$redisbase_port$hit_path" X-Yxgate-Cache
    row_admin=$redisbase_admin row_own_label="yxgate alone" bench_row redis_base "Redis hit" \
      "$(baseline_label), local layer off + redis-server" "http://127.0.0.1:$redisbase_port$hit_path" "$redisbase_pid $redis_pid"
    stop_proc "$redisbase_pid"
  fi
}

# The same Redis hit against a 3-master Redis Cluster (start_redis_cluster
# must already run): one more hop of routing per lookup (slot of the app's
# hash tag). Key redis_cluster_yx.
scenario_redis_cluster_hit() {
  start_yxgate clusterhit "cache: { local: { max_bytes: 0 }, redis: { url: \"redis://127.0.0.1:6379/0\", mode: cluster, nodes: [$cluster_nodes], timeout: 50ms } }"
  local _  # the slot map first: a lookup before it bypasses Redis
  for _ in $(seq 100); do
    curl -s "http://127.0.0.1:$clusterhit_admin/metrics" | grep -q '^yxgate_redis_up 1' && break
    sleep 0.05
  done
  warm "http://127.0.0.1:$clusterhit_port$hit_path" X-Yxgate-Cache
  row_admin=$clusterhit_admin row_own_label="yxgate alone" bench_row redis_cluster_yx "Redis hit" \
    "$yx, local layer off + 3-master cluster" "http://127.0.0.1:$clusterhit_port$hit_path" "$clusterhit_pid$cluster_pids"
  stop_proc "$clusterhit_pid"
}

# Cold cache, Zipf reads of hot conversations (zipf.lua), every emulator
# answer delayed UPSTREAM_MS. Each server starts just before its row (empty
# cache) and stops after it; the emulator's stats are reset before each row.
# Keys coal_yx coal_nginx coal_varnish (and coal_base with YXGATE_BASELINE=
# another yxgate binary, e.g. a build from before a change).
scenario_coalescing() {
  local zipf="$root/loadtest/zipf.lua"
  emu_latency_ms=${UPSTREAM_MS:-20}
  table_note "coalescing: cold cache (each server started fresh for its row), Zipf s=${ZIPF_S:-1.1} over ${ZIPF_IDS:-5000} ids x 4 conversations, message_time given, emulator latency ${emu_latency_ms} ms."
  start_yxgate coal "coalesce: { window: ${WINDOW:-2ms}, max_batch: 100${MAX_HOLD:+, max_hold: $MAX_HOLD} }"
  row_admin=$coal_admin bench_row coal_yx "coalescing" "$yx, window ${WINDOW:-2ms}" \
    "http://127.0.0.1:$coal_port/" "$coal_pid" -s "$zipf"
  stop_proc "$coal_pid"
  if [ -n "${YXGATE_BASELINE:-}" ]; then  # the same row with another binary, for A/B
    yx_bin=$YXGATE_BASELINE start_yxgate coalbase "coalesce: { window: ${WINDOW:-2ms}, max_batch: 100 }"
    row_admin=$coalbase_admin bench_row coal_base "coalescing" "$(baseline_label), window ${WINDOW:-2ms}" \
      "http://127.0.0.1:$coalbase_port/" "$coalbase_pid" -s "$zipf"
    stop_proc "$coalbase_pid"
  fi
  start_nginx nginxcold
  bench_row coal_nginx "coalescing" "nginx proxy_cache_lock" \
    "http://127.0.0.1:$nginxcold_port/" "$(process_group "$nginxcold_pid")" -s "$zipf"
  stop_proc "$nginxcold_pid"
  start_varnish varnishcold
  bench_row coal_varnish "coalescing" "Varnish waiting list" \
    "http://127.0.0.1:$varnishcold_port/" "$(process_group "$varnishcold_pid")" -s "$zipf"
  stop_proc "$varnishcold_pid"
  emu_latency_ms=0
}

# The SDK's pattern (SPEC §11.5): the same Zipf reads WITHOUT message_time,
# cold cache, every emulator answer delayed UPSTREAM_MS. Three rows, each
# server fresh: yxgate after it relayed history pages of the hot ids (the
# time index knows their create_time: lookups batch); yxgate cold (each id's
# first lookups are single GETs shared by identical in-flight requests; it
# learns from their answers as it goes); nginx proxy_cache_lock. The
# history pages go before the row's emulator reset: not counted. Keys
# untimed_learned untimed_cold untimed_nginx.
scenario_coalescing_untimed() {
  local zipf="$root/loadtest/zipf.lua"
  emu_latency_ms=${UPSTREAM_MS:-20}
  export ZIPF_NO_TIME=1
  table_note "coalescing without message_time: as coalescing, but lookups send no message_time (the vendor SDKs' QueryMessage); 'learned' = yxgate relayed history pages of the ${ZIPF_IDS:-5000} hot ids per conversation first."
  start_yxgate untl "coalesce: { window: ${WINDOW:-2ms}, max_batch: 100 }"
  teach_times "$untl_port" "$untl_admin"
  row_admin=$untl_admin bench_row untimed_learned "coalescing, no message_time" \
    "$yx, create_time learned from pages" "http://127.0.0.1:$untl_port/" "$untl_pid" -s "$zipf"
  stop_proc "$untl_pid"
  start_yxgate untc "coalesce: { window: ${WINDOW:-2ms}, max_batch: 100 }"
  row_admin=$untc_admin bench_row untimed_cold "coalescing, no message_time" \
    "$yx, cold (learns as it goes)" "http://127.0.0.1:$untc_port/" "$untc_pid" -s "$zipf"
  stop_proc "$untc_pid"
  start_nginx nginxuntimed
  bench_row untimed_nginx "coalescing, no message_time" "nginx proxy_cache_lock" \
    "http://127.0.0.1:$nginxuntimed_port/" "$(process_group "$nginxuntimed_pid")" -s "$zipf"
  stop_proc "$nginxuntimed_pid"
  unset ZIPF_NO_TIME
  emu_latency_ms=0
}

# teach_times port admin: pages through the history of zipf.lua's four
# conversations (their first ZIPF_IDS ids) via yxgate, then checks that the
# time index holds them all (yxgate_time_index_entries).
teach_times() {
  local port=$1 admin=$2 entries
  python3 - "$port" "${ZIPF_IDS:-5000}" <<'PY'
import http.client, json, sys
port, ids = int(sys.argv[1]), int(sys.argv[2])
c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
for conv, first in (("alice%7C1%7Cbob", 1), ("alice%7C2%7C1001", 100001),
                    ("alice%7C3%7C2001", 200001), ("carol%7C1%7Cdave", 300001)):
    begin, end = 1700000000000 + first * 1000, 1700000000000 + (first + ids - 1) * 1000
    token = ""
    while True:
        path = (f"/im/v2.1/conversations/{conv}/messages?begin_time={begin}&end_time={end}"
                f"&limit=100" + (f"&page_token={token}" if token else ""))
        c.request("GET", path)
        page = json.loads(c.getresponse().read())
        assert page["code"] == 200, page
        token = page["data"].get("next_token", "")
        if not page["data"]["has_more"]:
            break
PY
  entries=$(curl -s "http://127.0.0.1:$admin/metrics" | awk '/^yxgate_time_index_entries / {print $2}')
  progress "taught create_times through history pages: yxgate_time_index_entries $entries"
  awk -v e="${entries:-0}" -v n="$((4 * ${ZIPF_IDS:-5000}))" 'BEGIN { exit !(e + 0 >= n) }' ||
    { echo "teach_times: the time index holds ${entries:-0} entries, expected $((4 * ${ZIPF_IDS:-5000}))" >&2; exit 1; }
}

# A chatroom page (never cached): the emulator directly (wrk sends signing
# headers valid for 5 minutes), then through yxgate. Keys pass_emu pass_yx.
scenario_passthrough() {
  start_yxgate pass ""
  sign_headers
  row_upstream=0 bench_row pass_emu "pass-through" "emulator direct (signed by wrk)" \
    "http://127.0.0.1:$emu_port$pass_path" "$emu_pid" \
    -H "AppKey: $sig_appkey" -H "Nonce: $sig_nonce" -H "CurTime: $sig_curtime" -H "CheckSum: $sig_checksum"
  row_admin=$pass_admin bench_row pass_yx "pass-through" "$yx" \
    "http://127.0.0.1:$pass_port$pass_path" "$pass_pid"
  stop_proc "$pass_pid"
  if [ -n "${YXGATE_BASELINE:-}" ]; then
    yx_bin=$YXGATE_BASELINE start_yxgate passbase ""
    row_admin=$passbase_admin bench_row pass_base "pass-through" "$(baseline_label)" \
      "http://127.0.0.1:$passbase_port$pass_path" "$passbase_pid"
    stop_proc "$passbase_pid"
  fi
}

# The same page through yxgate with chatroom_messages limited to RL_RATE/s
# (burst RL_BURST; other classes and max_wait at SPEC defaults) under the
# same full load: what share is answered 416, at what CPU. Key rl_yx.
scenario_rate_limited() {
  local rate=${RL_RATE:-1000} burst=${RL_BURST:-100}
  start_yxgate limited "apps: [{ name: default, app_key_env: YX_APP_KEY, app_secret_env: YX_APP_SECRET, rate_limits: { chatroom_messages: { rate: $rate, burst: $burst } } }]"
  table_note "rate-limited: chatroom_messages rate $rate/s burst $burst, max_wait 50ms (SPEC default); upstream calls per client request should be about $rate / req/s."
  row_admin=$limited_admin bench_row rl_yx "rate-limited" "$yx, chatroom_messages $rate/s burst $burst" \
    "http://127.0.0.1:$limited_port$pass_path" "$limited_pid" -s "$root/loadtest/status.lua"
  stop_proc "$limited_pid"
}
