# syntax=docker/dockerfile:1
# yxgate container image (docs/operations.md, deploy/README.md).
#
#   docker build -t yxgate:0.1.0 .
#   docker run --read-only --cap-drop ALL -p 8080:8080 -p 9901:9901 \
#     -v "$PWD/my-yxgate.yaml:/etc/yxgate/yxgate.yaml:ro" \
#     -e YX_APP_KEY -e YX_APP_SECRET yxgate:0.1.0
# (published with -p, the config must bind 0.0.0.0:8080 and so list clients:
# bearer tokens, SPEC §6; in a Kubernetes sidecar it stays on 127.0.0.1.)
#
# Mounted at run time, never baked in (the image holds no config):
#   /etc/yxgate/yxgate.yaml     the config (a ConfigMap in Kubernetes)
#   /var/run/secrets/yx/secret  the app secret, when apps[].app_secret_file is used
#                               (or env YX_APP_SECRET with apps[].app_secret_env)
# The process writes nothing to disk (logs go to stderr), so a read-only root
# filesystem works.

# --- build: the same dependency script CI runs, Release build of both binaries.
FROM debian:12 AS build
WORKDIR /src
# Only the script first, so the dependency layer survives source changes.
COPY scripts/install-deps.sh scripts/install-deps.sh
RUN ./scripts/install-deps.sh && rm -rf /var/lib/apt/lists/*
COPY . .
RUN --mount=type=cache,target=/root/.cache/ccache \
    cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
 && ninja -C /build yxgate yxgate-emulator \
 && strip /build/src/yxgate /build/emulator/yxgate-emulator \
 && /build/src/yxgate --version

# --- runtime: the shared libraries the binaries link (ldd), CA certificates
# for https upstreams, nothing else. tests/ops/dockerfile_test.cpp checks this
# package list against ldd of the built binary.
FROM debian:12-slim AS runtime
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates libssl3 libhiredis0.14 libyaml-cpp0.7 libspdlog1.10 libfmt9 libsimdjson14 zlib1g \
      libprometheus-cpp-core1.0 libtcmalloc-minimal4 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 yxgate \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin yxgate
COPY --from=build /build/src/yxgate /usr/local/bin/yxgate
# The upstream emulator, for smoke tests of the image only
# (docker run --entrypoint yxgate-emulator IMAGE --listen 0.0.0.0:18090).
COPY --from=build /build/emulator/yxgate-emulator /usr/local/bin/yxgate-emulator
USER 10001:10001
EXPOSE 8080 9901
ENTRYPOINT ["/usr/local/bin/yxgate"]
CMD ["--config", "/etc/yxgate/yxgate.yaml"]
