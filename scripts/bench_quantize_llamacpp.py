#!/usr/bin/env python3
"""The peer of `ingot convert F16.gguf --type T`: llama.cpp's own quantizer (`llama_model_quantize`, the function
llama-quantize calls) through llama-cpp-python, on the same file and thread count; then, with --compare, whether
Ingot's output and llama.cpp's hold the same tensors byte for byte (read with gguf-py).

Usage:
  bench_quantize_llamacpp.py quantize IN.gguf OUT.gguf --type Q4_K_M --threads N   (prints wall seconds)
  bench_quantize_llamacpp.py compare A.gguf B.gguf                                 (exit 1 if any tensor differs)
"""
import argparse, hashlib, sys, time
import numpy as np

FTYPES = {"Q4_0": 2, "Q4_1": 3, "Q8_0": 7, "Q5_0": 8, "Q5_1": 9, "Q2_K": 10, "Q3_K_S": 11, "Q3_K_M": 12, "Q3_K_L": 13,
          "Q4_K_S": 14, "Q4_K_M": 15, "Q5_K_S": 16, "Q5_K_M": 17, "Q6_K": 18, "IQ4_NL": 25, "MXFP4_MOE": 38}


def quantize(a):
    import llama_cpp
    p = llama_cpp.llama_model_quantize_default_params()
    p.nthread = a.threads
    p.ftype = FTYPES[a.type.upper()]
    t0 = time.perf_counter()
    rc = llama_cpp.llama_model_quantize(a.input.encode(), a.output.encode(), p)
    dt = time.perf_counter() - t0
    if rc != 0:
        sys.exit(f"llama_model_quantize failed ({rc})")
    print(f"llama.cpp llama_model_quantize {a.type} threads {a.threads}: {dt:.2f} s")


def compare(a):
    from gguf import GGUFReader
    x, y = GGUFReader(a.a), GGUFReader(a.b)
    tx = {t.name: t for t in x.tensors}
    ty = {t.name: t for t in y.tensors}
    same, differ = 0, []
    for name in ty:
        t, u = tx.get(name), ty[name]
        if t is None or t.tensor_type != u.tensor_type or list(t.shape) != list(u.shape) or \
                not np.array_equal(np.asarray(t.data).view(np.uint8), np.asarray(u.data).view(np.uint8)):
            differ.append(name)
        else:
            same += 1
    missing = set(tx) - set(ty)
    print(f"{same} of {len(ty)} tensors byte-identical" + (f"; differ: {differ[:5]}{' …' if len(differ) > 5 else ''}" if differ else "")
          + (f"; only in {a.a}: {sorted(missing)[:5]}" if missing else ""))
    sys.exit(1 if differ or missing else 0)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    q = sub.add_parser("quantize")
    q.add_argument("input"); q.add_argument("output")
    q.add_argument("--type", default="Q4_K_M"); q.add_argument("--threads", type=int, default=2)
    c = sub.add_parser("compare")
    c.add_argument("a"); c.add_argument("b")
    a = ap.parse_args()
    quantize(a) if a.cmd == "quantize" else compare(a)


if __name__ == "__main__":
    main()
