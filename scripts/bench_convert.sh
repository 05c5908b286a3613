#!/usr/bin/env bash
# Benchmark (not a test) of `ingot convert`, figures for Benchmarks/README.md:
#  1. a ~4 GB sharded BF16 checkpoint (scripts/make_synthetic.py) converted to GGUF BF16 and Q4_K_M: wall time
#     beside `cat` of the shards to /dev/null (page cache warm for both), and peak RSS (GNU time) against the
#     promised bound 2 × the largest tensor + 200 MB;
#  2. an F16 GGUF of it requantized to Q4_K_M by Ingot and by llama.cpp's llama_model_quantize (llama-cpp-python)
#     on the same file and thread count, and the two outputs compared tensor by tensor (byte-identical expected:
#     no imatrix).
# BENCH_DIR (default /tmp/ingot-bench-4g) holds the checkpoint; OUT_DIR (default /tmp/ingot-bench-convert) the outputs.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${BENCH_DIR:-/tmp/ingot-bench-4g}
OUT=${OUT_DIR:-/tmp/ingot-bench-convert}
THREADS=${THREADS:-$(nproc)}
mkdir -p "$OUT"

if [ ! -f "$DIR/model.safetensors.index.json" ]; then
    echo "making a ~4 GB BF16 checkpoint in $DIR..." >&2
    python3 scripts/make_synthetic.py "$DIR" --dtype BF16 --layers 44 --shard-mb 1000 \
        --tokenizer Tests/Fixtures/models/tokenizer.json >&2
fi
swift build -c release --product ingot >&2
swift build -c release --product ingot-bench >&2
BIN=$(swift build -c release --show-bin-path)

# "<seconds> <max RSS MiB>" of a command, from GNU time.
timed() {
    local out wall rss
    out=$( { /usr/bin/time -v "$@" >/dev/null; } 2>&1 )
    wall=$(printf '%s\n' "$out" | awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' | awk -F: '{ if (NF == 3) s = $1*3600 + $2*60 + $3; else s = $1*60 + $2; printf "%.2f", s }')
    rss=$(printf '%s\n' "$out" | awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}')
    echo "$wall $rss"
}

total=$(du -cb "$DIR"/*.safetensors | tail -1 | cut -f1)
echo "checkpoint: $DIR, $(ls "$DIR"/*.safetensors | wc -l) shards, $((total / 1000000)) MB; threads $THREADS"
cat "$DIR"/*.safetensors > /dev/null   # warm the page cache for everyone
read -r t _ < <(timed sh -c "cat $DIR/*.safetensors > /dev/null")
echo "cat of the shards to /dev/null: ${t} s"
for type in BF16 Q4_K_M; do
    rm -f "$OUT/ingot-$type.gguf"
    read -r t rss < <(timed "$BIN/ingot" convert "$DIR" -o "$OUT/ingot-$type.gguf" --type "$type" --threads "$THREADS")
    echo "ingot convert → $type: ${t} s, peak RSS ${rss} MiB"
    rm -f "$OUT/ingot-$type.gguf"
done
# The in-process run states the bound with the largest tensor of this checkpoint.
"$BIN/ingot-bench" convert "$DIR" -o "$OUT/bench.gguf" --type BF16 --threads "$THREADS"
rm -f "$OUT/bench.gguf"

# F16 GGUF → Q4_K_M, Ingot beside llama.cpp.
[ -f "$OUT/f16.gguf" ] || "$BIN/ingot" convert "$DIR" -o "$OUT/f16.gguf" --type F16 --threads "$THREADS" >/dev/null
rm -f "$OUT/ingot-q4km.gguf" "$OUT/llama-q4km.gguf"
read -r ti rssi < <(timed "$BIN/ingot" convert "$OUT/f16.gguf" -o "$OUT/ingot-q4km.gguf" --type Q4_K_M --threads "$THREADS")
rm -f "$OUT/ingot-q4km.gguf"
"$BIN/ingot" convert "$OUT/f16.gguf" -o "$OUT/ingot-q4km.gguf" --type Q4_K_M --threads "$THREADS" >/dev/null 2>&1
read -r tl rssl < <(timed python3 scripts/bench_quantize_llamacpp.py quantize "$OUT/f16.gguf" "$OUT/llama-q4km.gguf" --type Q4_K_M --threads "$THREADS")
echo "F16 GGUF → Q4_K_M: ingot ${ti} s (peak RSS ${rssi} MiB), llama.cpp llama_model_quantize ${tl} s (peak RSS ${rssl} MiB)"
python3 -c "print('speed ratio (llama.cpp time / ingot time): %.2f×' % ($tl / $ti))"
python3 scripts/bench_quantize_llamacpp.py compare "$OUT/ingot-q4km.gguf" "$OUT/llama-q4km.gguf"
