#!/usr/bin/env bash
# Cache-hit benchmark (issue 3), one run, side by side: yxgate local-layer
# hits, yxgate Redis-layer hits (local layer disabled), tuned nginx
# proxy_cache hits, and redis-benchmark GET at the same concurrency. Same
# request (GET one cached message), same emulator upstream.
#   YXGATE_WITH_BENCH=1 ./scripts/install-deps.sh && ./loadtest/cache_hit.sh
source "$(dirname "$0")/lib.sh"
build_release
start_emulator
start_redis
start_yxgate local ""
start_yxgate redishit "cache: { local: { max_bytes: 0 }, redis: { url: \"redis://127.0.0.1:$redis_port/0\", timeout: 50ms } }"
start_nginx

path='/im/v2/conversations/alice%7C1%7Cbob/messages/1001'
for port in "$local_port" "$redishit_port" "$nginx_port"; do
  curl -s -o /dev/null "http://127.0.0.1:$port$path"   # warm: one miss each
  curl -s -D - -o /dev/null "http://127.0.0.1:$port$path" | grep -i 'x-yxgate-cache\|HTTP/' | tr -d '\r' | tr '\n' ' '
  echo
done

echo
echo "wrk -t1 -c$connections -d${duration}s, GET one cached message (~230-byte body); server CPU from /proc"
table_header
run_wrk "yxgate local hit (1 thread)" "http://127.0.0.1:$local_port$path" "$local_pid"
run_wrk "yxgate redis hit (1 thread)" "http://127.0.0.1:$redishit_port$path" "$redishit_pid $redis_pid"
run_wrk "nginx proxy_cache hit (1 worker)" "http://127.0.0.1:$nginx_port$path" "$(process_group "$nginx_master")"
echo
echo "redis-benchmark GET, -c $connections (the Redis ceiling on this machine):"
redis-benchmark -p "$redis_port" -c "$connections" -n 200000 -t get -q -d 230 2>/dev/null | tr "\r" "\n" | grep "requests per second" | tail -1
