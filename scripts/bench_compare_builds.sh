#!/usr/bin/env bash
# Benchmark (not a test): two builds of `ingot` side by side on the same files, to show that a change left speed
# alone — `ppl` tokens/s on F16 and Q4_K_M, `convert` HF → F16 GGUF and F16 → Q4_K_M wall and CPU time, peak RSS.
# Runs alternate A, B, A, B … so drift in machine load hits both; the best of N is printed (and the median).
#
#   scripts/bench_compare_builds.sh BIN_A BIN_B [WORKDIR]
#     env: RUNS (3), CTX (512), CHUNKS (4), THREADS (all cores), LAYERS (6: a 0.29 B-parameter F16 llama, 560 MB)
#
# Check `uptime` before and after; say the load beside the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
A=$1 B=$2
WORK=${3:-/tmp/ingot-bench-compare}
RUNS=${RUNS:-3} CTX=${CTX:-512} CHUNKS=${CHUNKS:-4} THREADS=${THREADS:-$(nproc)} LAYERS=${LAYERS:-6}
TEXT=Calibration/eval.txt
mkdir -p "$WORK"
if [ ! -f "$WORK/hf/config.json" ]; then
  python3 scripts/make_synthetic.py "$WORK/hf" --arch llama --hidden 2048 --layers "$LAYERS" --ffn 5632 \
    --heads 32 --kv-heads 4 --vocab 4096 --dtype F16 --tokenizer "$(git ls-files -- '*tokenizer.json' | head -1)" >&2
fi
# Inputs made once, by build A, so both builds read the same bytes.
[ -f "$WORK/in-F16.gguf" ] || "$A" convert "$WORK/hf" -o "$WORK/in-F16.gguf" --type F16 >/dev/null 2>&1
[ -f "$WORK/in-Q4_K_M.gguf" ] || "$A" convert "$WORK/in-F16.gguf" -o "$WORK/in-Q4_K_M.gguf" --type Q4_K_M >/dev/null 2>&1

# One timed run: prints "wall cpu rss_mib".
timed() {
  /usr/bin/time -f '%e %U %S %M' -o "$WORK/time.txt" "$@" >/dev/null 2>"$WORK/err.txt" || { cat "$WORK/err.txt" >&2; exit 1; }
  awk '{ printf "%.2f %.2f %d\n", $1, $2 + $3, $4 / 1024 }' "$WORK/time.txt"
}

jobs=(ppl-F16 ppl-Q4_K_M convert-HF-F16 convert-F16-Q4_K_M)
run_job() { # BIN JOB
  case $2 in
    ppl-F16) timed "$1" ppl "$WORK/in-F16.gguf" --text "$TEXT" --ctx "$CTX" --chunks "$CHUNKS" --threads "$THREADS" ;;
    ppl-Q4_K_M) timed "$1" ppl "$WORK/in-Q4_K_M.gguf" --text "$TEXT" --ctx "$CTX" --chunks "$CHUNKS" --threads "$THREADS" ;;
    convert-HF-F16) timed "$1" convert "$WORK/hf" -o "$WORK/out.gguf" --type F16 --threads "$THREADS"; rm -f "$WORK/out.gguf" ;;
    convert-F16-Q4_K_M) timed "$1" convert "$WORK/in-F16.gguf" -o "$WORK/out.gguf" --type Q4_K_M --threads "$THREADS"; rm -f "$WORK/out.gguf" ;;
  esac
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-20s %-3s %10s %10s %10s %10s %8s\n' job bin "best wall" "med wall" "best CPU" "med CPU" "RSS MiB"
for j in "${jobs[@]}"; do
  : > "$WORK/A.txt"; : > "$WORK/B.txt"
  for _ in $(seq "$RUNS"); do
    run_job "$A" "$j" >> "$WORK/A.txt"
    run_job "$B" "$j" >> "$WORK/B.txt"
  done
  for side in A B; do
    python3 - "$j" "$side" "$WORK/$side.txt" <<'PY'
import statistics, sys
job, side, path = sys.argv[1:4]
rows = [tuple(map(float, l.split())) for l in open(path) if l.strip()]
w, c, m = zip(*rows)
print(f"{job:<20} {side:<3} {min(w):>10.2f} {statistics.median(w):>10.2f} {min(c):>10.2f} {statistics.median(c):>10.2f} {int(max(m)):>8}")
PY
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
