#!/usr/bin/env bash
# Benchmark (not a test) for issue 13: Ingot's i-quant/ternary encoders beside llama.cpp's own llama-quantize on
# the same F16 GGUF. For each type T and thread count N it runs
#     ingot convert IN -o OUT --pure --type T --threads N
#     llama-quantize --pure IN OUT T N
# (both: every quantizable tensor the one type T, row-length fallbacks as llama.cpp; Ingot's --type alone would be
# llama-quantize's mix of that name, hence --pure on both sides), prints MB/s of F16 input for each (wall clock),
# the ratio Ingot speed / llama-quantize speed (by wall and by CPU time), and whether every tensor is
# byte-identical (scripts/bench_quantize_llamacpp.py compare; metadata differs by design: Ingot writes ingot.*
# provenance keys, so tensors only). Exit 1 if any tensor differs.
# No imatrix: types this llama.cpp refuses without one (tensor_requires_imatrix in src/llama-quant.cpp: IQ3_XXS,
# IQ2_XXS, IQ2_XS, IQ2_S, IQ1_S, IQ1_M) are refused here too.
#
# Usage: scripts/bench_iquants.sh [WORKDIR]     (default /work/bench)
# Env:   TYPES="TQ1_0 TQ2_0 IQ4_XS IQ3_S"  THREADS="1 2"
#        LLAMA_BIN (default: the output of scripts/build_llamacpp_tools.sh)  INGOT (default: release build here)
set -euo pipefail
cd "$(dirname "$0")/.."
WORK="${1:-/work/bench}"
TYPES="${TYPES:-TQ1_0 TQ2_0 IQ4_XS IQ3_S}"
THREADS="${THREADS:-1 2}"
mkdir -p "$WORK"
IN="$WORK/in-F16.gguf"

for t in $TYPES; do
    case "$t" in IQ3_XXS|IQ2_XXS|IQ2_XS|IQ2_S|IQ1_S|IQ1_M) echo "$t needs an imatrix in llama.cpp; not benchmarked here" >&2; exit 2;; esac
done

LLAMA_BIN="${LLAMA_BIN:-$(bash scripts/build_llamacpp_tools.sh)}"
QUANTIZE="$LLAMA_BIN/llama-quantize"
if [ -z "${INGOT:-}" ]; then
    nice -n 10 swift build -c release --product ingot >&2
    INGOT="$(swift build -c release --show-bin-path)/ingot"
fi

if [ ! -f "$IN" ]; then
    echo "making a ~560 MB synthetic F16 llama GGUF at $IN..." >&2
    python3 scripts/make_synthetic.py "$WORK/hf" --dtype F16 --layers 6 --heads 32 >&2
    "$INGOT" convert "$WORK/hf" -o "$IN" --type F16 >&2
fi
IN_MB=$(python3 -c "import os,sys; print(os.path.getsize(sys.argv[1]) / 1e6)" "$IN")
cat "$IN" > /dev/null   # page cache warm for both tools

# "<wall s> <CPU s>" of a command (GNU time; the command's own output goes to a log). CPU time is printed too
# because the machine is shared: under load the wall clock says more about the neighbours than about the encoder.
timed() {
    local log=$1; shift
    /usr/bin/time -f "%e %U %S" -o "$log.time" "$@" > "$log" 2>&1 \
        || { echo "failed: $* (see $log)" >&2; tail -5 "$log" >&2; return 1; }
    awk '{ printf "%.2f %.2f", $1, $2 + $3 }' "$log.time"
}

echo "input: $IN ($IN_MB MB F16); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| type | threads | Ingot MB/s | llama-quantize MB/s | ratio | Ingot wall / CPU s | llama wall / CPU s | CPU ratio | tensors |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---|"
status=0
for t in $TYPES; do
    for n in $THREADS; do
        A="$WORK/ingot-$t-$n.gguf"; B="$WORK/llama-$t-$n.gguf"
        sa=$(timed "$WORK/ingot-$t-$n.log" "$INGOT" convert "$IN" -o "$A" --pure --type "$t" --threads "$n")
        sb=$(timed "$WORK/llama-$t-$n.log" "$QUANTIZE" --pure "$IN" "$B" "$t" "$n")
        if same=$(python3 scripts/bench_quantize_llamacpp.py compare "$A" "$B" 2>&1); then :; else status=1; fi
        python3 - "$t" "$n" "$IN_MB" $sa $sb "$same" <<'PY'
import sys
t, n, mb = sys.argv[1], sys.argv[2], float(sys.argv[3])
wa, ca, wb, cb = map(float, sys.argv[4:8])
same = sys.argv[8]
print(f"| {t} | {n} | {mb / wa:.1f} | {mb / wb:.1f} | {wb / wa:.2f} | {wa:.2f} / {ca:.2f} | {wb:.2f} / {cb:.2f} "
      f"| {cb / ca:.2f} | {same} |")
PY
        rm -f "$A" "$B"
    done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
