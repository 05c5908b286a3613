#!/usr/bin/env bash
# Benchmark (not a test): `ingot inspect` on a ~4 GB sharded BF16 checkpoint must read headers only.
# Makes the checkpoint with scripts/make_synthetic.py if absent (BENCH_DIR, default /tmp/ingot-bench-4g), builds
# release, and prints wall time and peak RSS of `ingot inspect` beside `cat` of just the header bytes, then
# ingot-bench's min/median over repeated in-process runs, and the JSON parser on a 200k-entry tokenizer.json.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${BENCH_DIR:-/tmp/ingot-bench-4g}
RUNS=${RUNS:-20}

if [ ! -f "$DIR/model.safetensors.index.json" ]; then
    echo "making a ~4 GB BF16 checkpoint in $DIR (about a minute)..." >&2
    python3 scripts/make_synthetic.py "$DIR" --dtype BF16 --layers 44 --shard-mb 1000 \
        --tokenizer Tests/Fixtures/models/tokenizer.json >&2
fi

swift build -c release --product ingot >&2
swift build -c release --product ingot-bench >&2
BIN=$(swift build -c release --show-bin-path)

# Best wall ms, best CPU (user+sys) ms and max RSS (KiB) of 5 runs of a command, from GNU time (the machine may be shared and loaded).
timed() {
    local best="" cpu="" rss=0 out wall ms r c
    for _ in 1 2 3 4 5; do
        out=$( { /usr/bin/time -v "$@" >/dev/null; } 2>&1 )
        wall=$(printf '%s\n' "$out" | awk -F': ' '/Elapsed \(wall clock\)/ {print $2}')
        r=$(printf '%s\n' "$out" | awk -F': ' '/Maximum resident set size/ {print $2}')
        # m:ss.cc → ms
        ms=$(printf '%s\n' "$wall" | awk -F: '{ if (NF == 3) s = $1*3600 + $2*60 + $3; else s = $1*60 + $2; printf "%.0f", s*1000 }')
        c=$(printf '%s\n' "$out" | awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {printf "%.0f", (u+s)*1000}')
        if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
        if [ -z "$cpu" ] || [ "$c" -lt "$cpu" ]; then cpu=$c; fi
        if [ "$r" -gt "$rss" ]; then rss=$r; fi
    done
    printf '%6s ms wall  %4s ms CPU  %7s KiB max RSS' "$best" "$cpu" "$rss"
}

total=$(du -cb "$DIR"/*.safetensors | tail -1 | cut -f1)
shards=$(ls "$DIR"/*.safetensors | wc -l)
headers=$(mktemp -d)
for f in "$DIR"/*.safetensors; do
    n=$(python3 -c 'import sys,struct; print(struct.unpack("<Q", open(sys.argv[1],"rb").read(8))[0])' "$f")
    head -c $((8 + n)) "$f" > "$headers/$(basename "$f").header"
done
hbytes=$(du -cb "$headers"/*.header | tail -1 | cut -f1)

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
echo "checkpoint: $DIR, $shards shards, $total bytes; header bytes $hbytes"
"$BIN/ingot" inspect "$DIR" > /dev/null  # warm the page cache for the headers
echo "ingot --version:          $(timed "$BIN/ingot" --version)   (process start-up baseline)"
echo "ingot inspect DIR:        $(timed "$BIN/ingot" inspect "$DIR")"
echo "ingot inspect DIR --json: $(timed "$BIN/ingot" inspect "$DIR" --json)"
echo "cat header bytes:         $(timed cat "$headers"/*.header)"
"$BIN/ingot-bench" inspect "$DIR" --runs "$RUNS"

tok=$headers/tokenizer-200k.json
python3 - "$tok" <<'PY'
import json, sys
vocab = {f"tok{i}\u0120x": i for i in range(200000)}
merges = [f"tok{i} x{i}" for i in range(199000)]
json.dump({"version": "1.0", "model": {"type": "BPE", "vocab": vocab, "merges": merges}}, open(sys.argv[1], "w"), ensure_ascii=False)
PY
"$BIN/ingot-bench" json "$tok" --runs 5
rm -rf "$headers"
