#!/usr/bin/env python3
"""Tokenizer throughput, Ingot vs Hugging Face `tokenizers`, single thread, on one text (default Calibration/eval.txt).

Runs HF with TOKENIZERS_PARALLELISM=false and RAYON_NUM_THREADS=1 (encode of one string), best of N, and the release
`ingot-bench tokenizer` on the same files in the same run, and prints both with the ratio.

Usage: swift build -c release --product ingot-bench
       python3 scripts/bench_tokenizer.py [--repeat N] [--bench .build/release/ingot-bench]
"""
import argparse
import json
import os
import subprocess
import time

os.environ["TOKENIZERS_PARALLELISM"] = "false"
os.environ["RAYON_NUM_THREADS"] = "1"
from tokenizers import Tokenizer  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = [
    "Tests/Fixtures/models/tokenizer.json",
    "Tests/Fixtures/vocab/tokenizer-fixtures/gpt2_style.json",
    "Tests/Fixtures/vocab/tokenizer-fixtures/llama3_style.json",
    "Tests/Fixtures/vocab/tokenizer-fixtures/o200k_style.json",
    "Tests/Fixtures/vocab/tokenizer-fixtures/llama2_spm_style.json",
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--text", default=os.path.join(ROOT, "Calibration/eval.txt"))
    ap.add_argument("--bench", default=os.path.join(ROOT, ".build/release/ingot-bench"))
    args = ap.parse_args()
    with open(args.text, encoding="utf-8", newline="") as f:
        text = f.read()
    size = len(text.encode("utf-8"))
    paths = [os.path.join(ROOT, m) for m in MODELS]
    out = subprocess.run([args.bench, "tokenizer", "--file", args.text, "--repeat", str(args.repeat), "--json"] + paths,
                         check=True, capture_output=True, text=True).stdout
    ingot = {r["model"]: r for r in json.loads(out)}
    print(f"text: {os.path.relpath(args.text, ROOT)} ({size / 1e6:.2f} MB), best of {args.repeat}, one thread")
    print(f"{'tokenizer':52} {'tokens':>8} {'HF MB/s':>8} {'Ingot MB/s':>10} {'ratio':>6}")
    for m, p in zip(MODELS, paths):
        tok = Tokenizer.from_file(p)
        best = float("inf")
        n = 0
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            ids = tok.encode(text).ids
            best = min(best, time.perf_counter() - t0)
            n = len(ids)
        hf = size / best / 1e6
        ig = ingot[p]["mb_per_s"]
        same = "" if ingot[p]["tokens"] == n else f"  (token counts differ: {ingot[p]['tokens']} vs {n})"
        print(f"{m:52} {n:8d} {hf:8.2f} {ig:10.2f} {ig / hf:5.1f}x{same}")


if __name__ == "__main__":
    main()
