#!/usr/bin/env python3
"""The peer side of scripts/bench_ppl.sh: llama-perplexity's loop in llama-cpp-python over a token file.

Usage: bench_ppl_llamacpp.py MODEL.gguf TOKENS.json N_CTX CHUNKS THREADS
Prints one JSON line: ppl, tokens_per_second (tokens evaluated / seconds of decode), seconds.
"""
import json, math, sys, time
import numpy as np
import llama_cpp


def no_extra_buffers():
    # llama.cpp's repacked/AMX weight buffers die with SIGILL on CPUs whose hypervisor advertises AMX without
    # enabling it (seen on this Sapphire Rapids VM); the plain CPU path is what runs everywhere.
    default = llama_cpp.llama_model_default_params

    def params():
        p = default()
        p.use_extra_bufts = False
        return p
    llama_cpp.llama_model_default_params = params
    llama_cpp.llama.llama_cpp.llama_model_default_params = params


def main():
    if "--extra-bufts" not in sys.argv:
        no_extra_buffers()
    sys.argv = [a for a in sys.argv if a != "--extra-bufts"]
    path, tok_path, n_ctx, chunks, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    tokens = json.load(open(tok_path))
    llm = llama_cpp.Llama(model_path=path, n_ctx=n_ctx, n_batch=n_ctx, n_ubatch=n_ctx, n_threads=threads,
                          n_threads_batch=threads, logits_all=True, verbose=False)
    bos = llm.token_bos()
    first = n_ctx // 2
    nll, count = 0.0, 0
    chunks = min(chunks, len(tokens) // n_ctx)
    t0 = time.time()
    for c in range(chunks):
        chunk = tokens[c * n_ctx:(c + 1) * n_ctx]
        chunk[0] = bos
        llm.reset()
        llm._ctx.kv_cache_clear()   # a fresh cache per chunk, as llama-perplexity
        llm.eval(chunk)
        logits = np.asarray(llm.scores[first:n_ctx - 1], dtype=np.float32)
        m = logits.max(axis=1, keepdims=True)
        lse = np.log(np.exp(logits - m).astype(np.float64).sum(axis=1)) + m[:, 0]
        tgt = np.array(chunk[first + 1:n_ctx])
        nll += float((lse - logits[np.arange(len(tgt)), tgt]).sum())
        count += len(tgt)
    dt = time.time() - t0
    print(json.dumps({"ppl": math.exp(nll / count), "tokens_per_second": chunks * n_ctx / dt, "seconds": dt,
                      "chunks": chunks, "n_ctx": n_ctx}))


if __name__ == "__main__":
    main()
