#!/usr/bin/env bash
# First command of the README: install what is missing, build, and run yxgate.
# Without YX_APP_KEY/YX_APP_SECRET it starts the bundled upstream emulator and
# points yxgate at it (config/demo.yaml); with them it targets the real
# vendor (config/yxgate.yaml). Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
# Same build directory and type as scripts/test.sh, so neither rebuilds the other.
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build yxgate yxgate-emulator

emulator_pid=""
cleanup() {
  if [ -n "$emulator_pid" ]; then
    kill "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT

if [ -z "${YX_APP_KEY:-}" ] || [ -z "${YX_APP_SECRET:-}" ]; then
  config=config/demo.yaml
  export YX_APP_KEY=demo-app-key YX_APP_SECRET=demo-app-secret
  ./build/emulator/yxgate-emulator --listen 127.0.0.1:18090 --app "$YX_APP_KEY:$YX_APP_SECRET" \
    > build/emulator.log 2>&1 &
  emulator_pid=$!
  for _ in $(seq 100); do
    grep -q '^listening' build/emulator.log 2>/dev/null && break
    sleep 0.05
  done
  grep -q '^listening' build/emulator.log || { cat build/emulator.log; exit 1; }
  echo "No YX_APP_KEY/YX_APP_SECRET: using the bundled upstream emulator on 127.0.0.1:18090."
else
  config=${YXGATE_CONFIG:-config/yxgate.yaml}
  echo "Targeting the real vendor with app key ${YX_APP_KEY:0:4}…  (config: $config)"
fi

cat <<MSG

yxgate is starting with $config. Try, from another terminal:

  curl -i 'http://127.0.0.1:8080/im/v2/conversations/alice%7C1%7Cbob/messages/1001'
  curl -s  http://127.0.0.1:9901/metrics | grep yxgate_http_requests_total

Ctrl-C stops it.
MSG
./build/src/yxgate --config "$config" &
gateway_pid=$!
# Ctrl-C / SIGTERM: let yxgate drain and exit (SPEC §1), then clean up.
trap 'kill -TERM "$gateway_pid" 2>/dev/null || true' INT TERM
status=0
wait "$gateway_pid" || status=$?
if kill -0 "$gateway_pid" 2>/dev/null; then wait "$gateway_pid" || status=$?; fi
exit "$status"
