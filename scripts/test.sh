#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, runs the cross-checks with gguf-py, then every Swift test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Release with testing enabled: the numeric tests (bit-exact quantizers, forward passes) are ~50x faster than debug.
flags=(-c release -Xswiftc -enable-testing)
swift build "${flags[@]}" --build-tests 2>&1 | tail -n 1

# Cross-checks: gguf-py (PyPI `gguf`) must read every GGUF Ingot writes with identical keys, values and tensor bytes.
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
INGOT_GGUF_OUT="$out/gguf" swift test "${flags[@]}" --skip-build --filter GGUFPyExport >/dev/null
python3 scripts/check_gguf_py.py "$out/gguf"
# Every bundled checkpoint converted by the built binary, read back by gguf-py against llama.cpp's own outputs.
python3 scripts/check_convert_outputs.py --ingot .build/release/ingot

swift test "${flags[@]}" --skip-build
