#!/usr/bin/env bash
# Ingot's main job on the bundled model: convert the F16 Hugging Face checkpoint to a Q4_K_M GGUF that llama.cpp
# runs, printing the plan and the result, then check the conversion: perplexity and KL-divergence against the original.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product ingot 2>&1 | tail -n 1
ingot=.build/release/ingot
model=Tests/Fixtures/models/tiny-llama
mkdir -p out
echo "== plan"
$ingot convert "$model" -o out/tiny-llama-Q4_K_M.gguf --type Q4_K_M --dry-run
echo "== convert"
$ingot convert "$model" -o out/tiny-llama-Q4_K_M.gguf --type Q4_K_M
echo "== verify: perplexity on Calibration/eval.txt and KL-divergence against the original checkpoint"
$ingot ppl out/tiny-llama-Q4_K_M.gguf --text Calibration/eval.txt --ctx 256 --chunks 8 --kld-against "$model"
