#!/usr/bin/env bash
# Perplexity speed and memory of `ingot ppl` beside llama-cpp-python on the same GGUF files, tokens, context and
# threads (release build). Not a test: it prints figures for Benchmarks/README.md.
#
#   scripts/bench_ppl.sh [WORKDIR]      env: LAYERS (22 ≈ 1.0 B params), CTX (512), CHUNKS (4), THREADS (all cores),
#                                       INGOT (a prebuilt binary; default: swift build -c release)
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${1:-/tmp/ingot-bench-ppl}
LAYERS=${LAYERS:-22}
CTX=${CTX:-512}
CHUNKS=${CHUNKS:-4}
THREADS=${THREADS:-$(nproc)}
TEXT=Calibration/eval.txt
mkdir -p "$WORK"

if [ -z "${INGOT:-}" ]; then
  swift build -c release --product ingot >&2
  INGOT=$(swift build -c release --show-bin-path)/ingot
fi

# 1. A ~1 B-parameter synthetic llama (TinyLlama's shape, the fixtures' 4096-token vocabulary).
if [ ! -f "$WORK/hf/config.json" ]; then
  python3 scripts/make_synthetic.py "$WORK/hf" --arch llama --hidden 2048 --layers "$LAYERS" --ffn 5632 \
    --heads 32 --kv-heads 4 --vocab 4096 --dtype F16 --tokenizer Tests/Fixtures/models/tokenizer.json >&2
fi

# 2. F16 GGUF: Ingot's converter when it has one, else gguf-py.
F16="$WORK/model-F16.gguf"
if [ ! -f "$F16" ]; then
  if "$INGOT" convert --help >/dev/null 2>&1; then
    "$INGOT" convert "$WORK/hf" -o "$F16" --type F16 >&2
  else
    python3 scripts/hf_llama_to_gguf.py "$WORK/hf" "$F16"
  fi
fi

# 3. Q4_K_M: Ingot's quantizer when it can, else llama.cpp's.
Q4="$WORK/model-Q4_K_M.gguf"
if [ ! -f "$Q4" ]; then
  if ! "$INGOT" convert "$F16" -o "$Q4" --type Q4_K_M >&2 2>/dev/null; then
    python3 - "$F16" "$Q4" <<'PY'
import sys, llama_cpp
p = llama_cpp.llama_model_quantize_default_params()
p.ftype = 15  # LLAMA_FTYPE_MOSTLY_Q4_K_M
assert llama_cpp.llama_model_quantize(sys.argv[1].encode(), sys.argv[2].encode(), p) == 0
PY
  fi
fi

# 4. The same tokens for both: Hugging Face tokenizers on the text, BOS in front (what Ingot's tokenizer gives).
python3 - "$WORK/hf/tokenizer.json" "$TEXT" "$WORK/tokens.json" <<'PY'
import json, sys
from tokenizers import Tokenizer
ids = Tokenizer.from_file(sys.argv[1]).encode(open(sys.argv[2], encoding="utf-8").read(), add_special_tokens=False).ids
json.dump([1] + ids, open(sys.argv[3], "w"))
PY

printf '%-10s %10s %14s %14s %8s %10s %10s %12s\n' model "GGUF MiB" "ingot tok/s" "llama.cpp tok/s" ratio "ingot PPL" "peer PPL" "ingot RSS MiB"
for f in "$F16" "$Q4"; do
  size=$(( $(stat -c %s "$f") / 1048576 ))
  /usr/bin/time -f '%M' -o "$WORK/rss.txt" "$INGOT" ppl "$f" --text "$TEXT" --ctx "$CTX" --chunks "$CHUNKS" \
    --threads "$THREADS" --json > "$WORK/ingot.json" 2>"$WORK/ingot.err" || { cat "$WORK/ingot.err" >&2; exit 1; }
  rss=$(( $(tail -1 "$WORK/rss.txt") / 1024 ))
  python3 scripts/bench_ppl_llamacpp.py "$f" "$WORK/tokens.json" "$CTX" "$CHUNKS" "$THREADS" > "$WORK/peer.json"
  python3 - "$f" "$size" "$rss" "$WORK/ingot.json" "$WORK/peer.json" <<'PY'
import json, os, sys
f, size, rss = os.path.basename(sys.argv[1]), sys.argv[2], sys.argv[3]
a, b = json.load(open(sys.argv[4])), json.load(open(sys.argv[5]))
print(f"{f[6:-5]:<10} {size:>10} {a['tokens_per_second']:>14.1f} {b['tokens_per_second']:>14.1f} "
      f"{a['tokens_per_second'] / b['tokens_per_second']:>8.2f} {a['ppl']:>10.4f} {b['ppl']:>10.4f} {rss:>12}")
PY
done
