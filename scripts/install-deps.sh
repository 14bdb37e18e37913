#!/usr/bin/env bash
# Installs the Debian 12 packages yxgate needs to build, test and run.
# Idempotent: only calls apt-get when something is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config
  libboost1.81-dev libhiredis-dev libsimdjson-dev libspdlog-dev libyaml-cpp-dev
  libssl-dev libgtest-dev libgmock-dev
  zlib1g-dev  # gzip: the emulator compresses answers, the gateway decodes them
  redis-server redis-tools curl ca-certificates
  prometheus  # promtool: the metrics tests check /metrics with it
  prometheus-cpp-dev  # metrics families and text format (core; SPEC §8)
  libgoogle-perftools-dev  # tcmalloc_minimal: yxgate's allocator (not under sanitizers)
  clang libclang-rt-14-dev  # libFuzzer targets (scripts/fuzz.sh)
  python3 python3-h11  # tests/differential: an independent HTTP/1.1 parser to compare framing with
)
command -v npm >/dev/null || packages+=(nodejs npm)  # tests/ops: K8s manifest validation (npm ci)
if [ "${YXGATE_WITH_BENCH:-0}" = 1 ]; then
  packages+=(wrk nginx-light varnish)  # loadtest/: load generator, cache peers (redis-tools has redis-benchmark)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo_cmd=()
[ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
echo "installing: ${missing[*]}" >&2
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
