#!/usr/bin/env bash
# Installs the validator's npm packages (exact versions from package-lock.json)
# into DEST/node_modules, outside the source tree. Run by the build (target
# ops_k8s_node_modules); the test itself then runs offline.
# usage: install.sh DEST
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dest=${1:?usage: install.sh DEST}
command -v npm >/dev/null || { echo "install.sh: npm not found (scripts/install-deps.sh installs it)" >&2; exit 1; }
mkdir -p "$dest"
cp "$here/package.json" "$here/package-lock.json" "$dest/"
cd "$dest"
# --prefer-offline: a warm npm cache makes rebuilds work without the registry.
npm ci --prefer-offline --no-audit --no-fund --loglevel=error
touch "$dest/node_modules/.yxgate-installed"
