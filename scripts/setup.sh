#!/usr/bin/env bash
# Installs what Ingot needs on a Debian machine (as root). Idempotent: skips what is present. Builds nothing
# (demo.sh and test.sh build with their own flags; building twice with different flags would rebuild everything).
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
for p in libzstd-dev libopenblas-dev pkg-config; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi
# Python oracles used by the test suite's cross-checks (gguf-py reads what Ingot writes).
python3 -c 'import gguf, numpy, safetensors' 2>/dev/null || python3 -m pip install -q gguf numpy safetensors
