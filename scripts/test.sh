#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, runs every Swift test, then the cross-checks with gguf-py.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Release with testing enabled: the numeric tests (bit-exact quantizers, forward passes) are ~50x faster than debug.
swift test -c release -Xswiftc -enable-testing
