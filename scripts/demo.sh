#!/usr/bin/env bash
# Ingot's main job on the bundled model: inspect it (later: convert to Q4_K_M GGUF and report).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.build/release/ingot inspect Tests/Fixtures/models/tiny-llama
