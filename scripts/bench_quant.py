#!/usr/bin/env python3
"""Quantization speed, Ingot beside ggml, on the same F16 GGUF and the same thread counts.

Usage: scripts/bench_quant.py [--gguf /tmp/ingot-bench-f16.gguf] [--layers 10] [--types Q4_K,Q6_K,Q8_0]
                              [--threads 1,2] [--repeat 1] [--ingot-bench .build/release/ingot-bench]

1. Writes (once) an F16 llama GGUF with gguf-py: the tensors shared/tools/make_synthetic.py would produce for
   `--arch llama --hidden 2048 --ffn 5632 --heads 16 --kv-heads 4 --vocab 4096` (N(0, 0.02) weights, unit norms),
   named as llama.cpp names them (~1 GB at 10 layers). Written directly because Ingot's converter is a separate
   job; the bytes are what convert_hf_to_gguf.py would store for F16.
2. ggml, two ways:
   - `llama_model_quantize` (llama-cpp-python 0.3.36) with `pure` set, so every 2-D weight becomes the type:
     the end-to-end figure (reads the GGUF, converts F16 -> F32, quantizes, writes the output file);
   - `ggml_quantize_chunk` from the same libggml-base on the same tensors held as F32 in memory (rows split across
     Python threads; ctypes releases the GIL): the kernel-only figure (F16 -> F32 conversion not timed).
3. Ingot: `ingot-bench quant --gguf F --tsv` (reads the same GGUF through IngotFormats, converts F16 -> F32 per chunk
   inside the timed region, quantizes; writes nothing).
Figures are MB of F16 input per second of wall clock, and in brackets per CPU-second (user + system time of all
threads: the stable figure on a loaded machine, and for 2 threads it shows the parallel overhead, not the speed-up).
"""
import argparse, ctypes, os, subprocess, sys, tempfile, threading, time
import numpy as np

FTYPE = {"Q4_0": 2, "Q4_1": 3, "Q5_0": 8, "Q5_1": 9, "Q8_0": 7, "Q2_K": 10, "Q3_K": 12,   # *_S / plain ftypes
         "Q4_K": 14, "Q5_K": 16, "Q6_K": 18, "IQ4_NL": 25, "MXFP4": 38}
GGML_TYPE = {"Q4_0": 2, "Q4_1": 3, "Q5_0": 6, "Q5_1": 7, "Q8_0": 8, "Q2_K": 10, "Q3_K": 11, "Q4_K": 12,
             "Q5_K": 13, "Q6_K": 14, "IQ4_NL": 20, "MXFP4": 39}


def write_f16_gguf(path, layers, hidden=2048, ffn=5632, heads=16, kv_heads=4, vocab=4096, seed=0):
    import gguf
    rng = np.random.default_rng(seed)
    hd = hidden // heads
    w = gguf.GGUFWriter(path, "llama")
    w.add_name("ingot-bench synthetic")
    w.add_context_length(2048)
    w.add_embedding_length(hidden)
    w.add_block_count(layers)
    w.add_feed_forward_length(ffn)
    w.add_head_count(heads)
    w.add_head_count_kv(kv_heads)
    w.add_rope_dimension_count(hd)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_vocab_size(vocab)
    w.add_file_type(1)
    # A minimal vocabulary so any llama.cpp tool accepts the file (quantization itself does not read it).
    w.add_tokenizer_model("gpt2")
    w.add_token_list([f"<t{i}>" for i in range(vocab)])
    w.add_token_types([1] * vocab)
    w.add_token_merges([])

    def mat(*shape):
        return (rng.standard_normal(shape, dtype=np.float32) * 0.02).astype(np.float16)

    w.add_tensor("token_embd.weight", mat(vocab, hidden))
    w.add_tensor("output_norm.weight", np.ones(hidden, np.float32))
    w.add_tensor("output.weight", mat(vocab, hidden))
    for i in range(layers):
        p = f"blk.{i}."
        w.add_tensor(p + "attn_norm.weight", np.ones(hidden, np.float32))
        w.add_tensor(p + "attn_q.weight", mat(heads * hd, hidden))
        w.add_tensor(p + "attn_k.weight", mat(kv_heads * hd, hidden))
        w.add_tensor(p + "attn_v.weight", mat(kv_heads * hd, hidden))
        w.add_tensor(p + "attn_output.weight", mat(hidden, heads * hd))
        w.add_tensor(p + "ffn_norm.weight", np.ones(hidden, np.float32))
        w.add_tensor(p + "ffn_gate.weight", mat(ffn, hidden))
        w.add_tensor(p + "ffn_up.weight", mat(ffn, hidden))
        w.add_tensor(p + "ffn_down.weight", mat(hidden, ffn))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def f16_weights(path):
    """(name, rows, cols, F32 array) of every 2-D F16 *.weight tensor, and their total F16 bytes."""
    import gguf
    r = gguf.GGUFReader(path)
    out, total = [], 0
    for t in r.tensors:
        if t.tensor_type == gguf.GGMLQuantizationType.F16 and len(t.shape) == 2 and t.name.endswith("weight"):
            cols, rows = int(t.shape[0]), int(t.shape[1])
            out.append((t.name, rows, cols, np.ascontiguousarray(np.asarray(t.data).reshape(rows, cols))))
            total += rows * cols * 2
    return out, total


def timed(fn):
    """(wall seconds, process CPU seconds of all threads)."""
    t0, c0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - t0, time.process_time() - c0


def ggml_end_to_end(src, qtype, nthread):
    import llama_cpp
    out = tempfile.NamedTemporaryFile(suffix=".gguf", delete=False).name
    p = llama_cpp.llama_model_quantize_default_params()
    p.nthread = nthread
    p.ftype = FTYPE[qtype]
    p.pure = True
    rc = [0]
    def run():
        rc[0] = llama_cpp.llama_model_quantize(src.encode(), out.encode(), ctypes.byref(p))
    t = timed(run)
    os.unlink(out)
    if rc[0] != 0:
        raise SystemExit(f"llama_model_quantize failed ({rc[0]}) for {qtype}")
    return t


def ggml_kernel(weights, qtype, nthread):
    import llama_cpp
    lib = ctypes.CDLL(os.path.join(os.path.dirname(llama_cpp.__file__), "lib", "libggml-base.so"))
    lib.ggml_quantize_chunk.restype = ctypes.c_size_t
    lib.ggml_quantize_chunk.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64,
                                        ctypes.c_int64, ctypes.c_int64, ctypes.c_void_p]
    lib.ggml_row_size.restype = ctypes.c_size_t
    lib.ggml_row_size.argtypes = [ctypes.c_int, ctypes.c_int64]
    tid = GGML_TYPE[qtype]
    jobs = []
    for _, rows, cols, x32 in weights:
        rb = lib.ggml_row_size(tid, cols)
        dst = np.empty(rows * rb, np.uint8)
        jobs.append((x32, dst, rows, cols, rb))

    def work(k):
        for x32, dst, rows, cols, rb in jobs:
            lo, hi = rows * k // nthread, rows * (k + 1) // nthread
            if hi > lo:
                # ggml offsets src and dst itself from `start`
                lib.ggml_quantize_chunk(tid, x32.ctypes.data, dst.ctypes.data, lo * cols, hi - lo, cols, None)

    def run():
        ts = [threading.Thread(target=work, args=(k,)) for k in range(nthread)]
        for t in ts: t.start()
        for t in ts: t.join()
    return timed(run)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gguf", default=os.path.join(tempfile.gettempdir(), "ingot-bench-f16.gguf"))
    ap.add_argument("--layers", type=int, default=10)
    ap.add_argument("--types", default="Q4_K,Q6_K,Q8_0")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--ingot-bench", default=os.path.join(os.path.dirname(__file__), "..", ".build", "release", "ingot-bench"))
    a = ap.parse_args()
    types, threads = a.types.split(","), [int(t) for t in a.threads.split(",")]
    if not os.path.exists(a.gguf):
        print(f"writing {a.gguf} ({a.layers} layers) ...", file=sys.stderr)
        write_f16_gguf(a.gguf, a.layers)
    weights, total = f16_weights(a.gguf)
    mb = total / 1e6
    print(f"{a.gguf}: {len(weights)} F16 weight tensors, {mb:.0f} MB; best of {a.repeat}")

    def ingot(t, n):
        cmd = [a.ingot_bench, "quant", "--gguf", a.gguf, "--types", t, "--threads", str(n), "--repeat", str(a.repeat), "--tsv"]
        for line in subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.splitlines():
            f = line.split("\t")
            if len(f) == 6:
                return float(f[2]), float(f[4])   # quantize MB/s wall, per CPU-second
        raise SystemExit("ingot-bench printed no figures: " + " ".join(cmd))

    w32 = [(n, r, c, x.astype(np.float32)) for n, r, c, x in weights]
    print("MB/s wall clock [MB per CPU-second]; each row's three measurements run back to back so they see the same load")
    print(f"{'type':6} {'thr':>3}  {'Ingot':>15}  {'ggml kernel':>15}  {'ggml quantize':>15}  {'Ingot/kernel':>12}  {'Ingot/quantize':>14}")
    for t in types:
        for n in threads:
            iw, ic = max((ingot(t, n) for _ in range(a.repeat)), key=lambda v: v[0])
            kw, kc = min((ggml_kernel(w32, t, n) for _ in range(a.repeat)), key=lambda v: v[0])
            ew, ec = min((ggml_end_to_end(a.gguf, t, n) for _ in range(a.repeat)), key=lambda v: v[0])
            print(f"{t:6} {n:>3}  {iw:6.1f} [{ic:6.1f}]  {mb / kw:6.1f} [{mb / kc:6.1f}]  {mb / ew:6.1f} [{mb / ec:6.1f}]  "
                  f"{iw / (mb / kw):11.2f}x  {iw / (mb / ew):13.2f}x", flush=True)


if __name__ == "__main__":
    main()
