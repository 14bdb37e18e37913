#!/usr/bin/env bash
# Soak: yxgate's RSS over time under a steady mixed load (soak.lua: cache
# hits, misses over ~500k ids so the bounded local cache keeps evicting,
# pass-through pages) for SOAK_SECONDS. VmRSS is sampled every
# SOAK_INTERVAL seconds into a table.
#
# Verdict. Warm-up ends at the first sample where the local cache holds at
# least 90% of SOAK_CACHE (evictions have begun), and no earlier than
# min(60 s, SOAK_SECONDS / 3). Window L = min(60 s, (SOAK_SECONDS - warm-up) / 2).
# "flat" when max RSS over the last L seconds <= 1.1 x max RSS over the first
# L seconds after warm-up; "growing" otherwise; "inconclusive" when the cache
# never filled or the windows hold no sample.
#   YXGATE_WITH_BENCH=1 ./scripts/install-deps.sh && ./loadtest/soak.sh
source "$(dirname "$0")/lib.sh"
soak=${SOAK_SECONDS:-600}
interval=${SOAK_INTERVAL:-10}
cache_size=${SOAK_CACHE:-16MiB}
rps=${SOAK_RPS:-5000}
conns=${SOAK_CONNECTIONS:-32}
cache_bytes=$(awk -v s="$cache_size" 'BEGIN {
  n = s + 0; u = substr(s, length(n "") + 1)
  m = (u == "KiB") ? 1024 : (u == "MiB") ? 1048576 : (u == "GiB") ? 1073741824 : 1
  printf "%d", n * m }')
# Each connection pauses before every request so that conns connections
# offer about SOAK_RPS in total (plus the answer's latency, so a bit less).
delay_ms=$((conns * 1000 / rps))

build_release
start_emulator
start_yxgate soak "cache: { local: { max_bytes: $cache_size } }"
progress "yxgate :$soak_port, local cache $cache_size; ${soak}s of wrk -c$conns paced to ~$rps req/s, RSS every ${interval}s"

metric() {  # name-regex -> sum of matching samples
  curl -s "http://127.0.0.1:$soak_admin/metrics" | awk -v re="$1" '$0 !~ /^#/ && $1 ~ re { s += $NF } END { printf "%.0f", s }'
}

SOAK_DELAY_MS=$delay_ms timeout $((soak + 30)) wrk -t1 -c"$conns" -d"${soak}s" --latency \
  -s "$root/loadtest/soak.lua" "http://127.0.0.1:$soak_port/" >"$work/wrk.out" 2>&1 &
wrk_pid=$!; pids+=("$wrk_pid")

samples="$work/samples"   # t rss_kib cache_bytes requests
start=$(date +%s.%N)
prev_req=0
for ((k = 0; k <= soak / interval; k++)); do
  sleep "$(awk -v s="$start" -v t=$((k * interval)) -v now="$(date +%s.%N)" 'BEGIN { d = s + t - now; printf "%.3f\n", (d > 0 ? d : 0) }')"
  req=$(metric '^yxgate_http_requests_total')
  echo "$((k * interval)) $(rss_kb "$soak_pid") $(metric '^yxgate_cache_local_bytes$') $req" >>"$samples"
  progress "t=$((k * interval))s RSS $(awk -v k="$(rss_kb "$soak_pid")" 'BEGIN{printf "%.1f", k / 1024}') MiB, $(( (req - prev_req) / (k ? interval : 1) )) req/s"
  prev_req=$req
done
wait "$wrk_pid" || true

echo "yxgate (${GATEWAY_THREADS:-1} thread), cache.local.max_bytes $cache_size, ${soak}s of soak.lua, wrk -c$conns paced to ~$rps req/s"
echo
echo "| t (s) | VmRSS MiB | local cache MiB | req/s in interval |"
echo "|--:|--:|--:|--:|"
awk -v iv="$interval" '{ printf "| %d | %.1f | %.1f | %s |\n", $1, $2 / 1024, $3 / 1048576, NR == 1 ? "—" : sprintf("%.0f", ($4 - p) / iv); p = $4 }' "$samples"
echo
echo "wrk: $(awk '/Requests\/sec/ {printf "%s req/s", $2} /requests in/ {printf "%s requests, ", $1}' "$work/wrk.out");" \
  "$(awk '/^statuses|^codes|Non-2xx|Socket errors/ {gsub(/^ +/, ""); printf "%s%s", sep, $0; sep="; "}' "$work/wrk.out")"
echo "emulator: $(emu_calls) upstream calls"
awk -v soak="$soak" -v cap="$cache_bytes" '
  { t[NR] = $1; rss[NR] = $2 / 1024; cache[NR] = $3; n = NR }
  END {
    for (i = 1; i <= n; i++) {
      if (rss[i] > all) all = rss[i]
      if (t[i] > 0 && t[i] <= 60 && rss[i] > first) first = rss[i]
      if (t[i] >= soak - 60 && rss[i] > last) last = rss[i]
      if (full == "" && cache[i] >= 0.9 * cap) full = t[i]
    }
    printf "RSS max: first minute %.1f MiB, last minute %.1f MiB, whole run %.1f MiB\n", first, last, all
    warm = (soak / 3 < 60) ? soak / 3 : 60
    if (full == "") { print "verdict: inconclusive (the local cache never reached 90% of its bound: no evictions seen)"; exit }
    if (full > warm) warm = full
    L = (soak - warm) / 2; if (L > 60) L = 60
    for (i = 1; i <= n; i++) {
      if (t[i] > warm && t[i] <= warm + L && rss[i] > base) base = rss[i]
      if (t[i] > soak - L && rss[i] > tail) tail = rss[i]
    }
    printf "cache reached 90%% of its bound at t=%ds; warm-up until t=%ds; windows of %ds\n", full, warm, L
    if (base == 0 || tail == 0) { print "verdict: inconclusive (a window holds no sample: run longer)"; exit }
    printf "verdict: %s (last %ds max %.1f MiB %s 1.1 x %.1f MiB, the max of the %ds after warm-up)\n",
      tail <= 1.1 * base ? "flat" : "growing", L, tail, tail <= 1.1 * base ? "<=" : ">", base, L
  }' "$samples"
