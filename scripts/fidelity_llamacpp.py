#!/usr/bin/env python3
"""Loads Ingot's GGUF conversions in llama.cpp (through llama-cpp-python) and compares their logits on the first
evaluation chunk with transformers' float32 reference (Tests/Fixtures/models/*/reference.json: the chunk's token
ids and logits rows 0, 8, 32, 127 and 255).

F16 (and F32) conversions must match within 1e-2 (max |Δ| over those rows); other types are reported (max |Δ| and
top-1 agreement). Then perplexity on Calibration/eval.txt with llama-perplexity's method (n_ctx 256, 16 chunks) must
equal, within 0.05 %, what llama.cpp measured on its own conversion of the same checkpoint and type
(llamacpp/ppl.tsv) — i.e. llama.cpp cannot tell Ingot's file from its own.

BF16 files are not held to 1e-2 against transformers: llama.cpp rounds activations to BF16 in BF16 matrix products.
gpt-oss differs from transformers at later positions because llama.cpp always truncates the YaRN ramp
(shared/docs/models.md, last section); its PPL check against llama.cpp's own file still applies.
Not run in CI: llama-cpp-python compiles llama.cpp.

Usage: scripts/fidelity_llamacpp.py [--ingot PATH] [--keep DIR] [--threads N]
       FIDELITY_CASES=tiny-llama:F16,tiny-gptoss:BF16 scripts/fidelity_llamacpp.py   (a subset)
Exit status 1 if an F16/BF16 conversion is off by more than the tolerance.
"""
import argparse, json, os, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = os.path.join(ROOT, "Tests", "Fixtures", "models")
CASES = [(m, t) for m, t in (os.environ.get("FIDELITY_CASES") and
                             [tuple(c.split(":")) for c in os.environ["FIDELITY_CASES"].split(",")] or
    [("tiny-llama", "F16"), ("tiny-llama", "Q8_0"), ("tiny-llama", "Q4_K_M"),
     ("tiny-mixtral", "F16"), ("tiny-mixtral", "BF16"), ("tiny-mixtral", "Q8_0"), ("tiny-mixtral", "Q4_K_M"),
     ("tiny-gptoss", "F16"), ("tiny-gptoss", "BF16"), ("tiny-gptoss", "Q8_0"), ("tiny-gptoss", "Q4_K_M"),
     ("tiny-gptoss", "MXFP4_MOE"), ("tiny-gptoss-mxfp4", "AUTO")])]
TOLERANCE = 1e-2


def logits(path, tokens, threads):
    import llamacpp_peer  # noqa: F401  (no AMX extra buffers: some VMs fault on them; see that file)
    from llama_cpp import Llama
    llm = Llama(model_path=path, n_ctx=len(tokens), n_batch=len(tokens), logits_all=True, verbose=False,
                n_threads=threads, n_gpu_layers=0)
    llm.eval(tokens)
    out = np.array(llm.scores[:len(tokens)], dtype=np.float32)
    llm.close()
    return out


def perplexity(path, text, threads, n_ctx=256, chunks=16):
    """llama-perplexity's method: the whole text tokenized with BOS, cut into chunks of n_ctx whose first token is
    set to BOS, the second half of each chunk scored; returns exp(mean NLL)."""
    import llamacpp_peer  # noqa: F401
    from llama_cpp import Llama
    llm = Llama(model_path=path, n_ctx=n_ctx, n_batch=n_ctx, logits_all=True, verbose=False, n_threads=threads)
    tokens = llm.tokenize(text.encode("utf-8"), add_bos=True, special=False)
    bos = llm.token_bos()
    nll, count = 0.0, 0
    first = n_ctx // 2
    for c in range(min(chunks, len(tokens) // n_ctx)):
        start = c * n_ctx
        batch = list(tokens[start:start + n_ctx])
        batch[0] = bos
        llm.reset()
        llm.eval(batch)
        lg = np.array(llm.scores[:n_ctx], dtype=np.float32)
        for j in range(first, n_ctx - 1):
            row = lg[j]
            m = row.max()
            lse = np.log(np.exp((row - m).astype(np.float64)).sum())
            nll -= float(row[tokens[start + j + 1]] - m) - lse
            count += 1
    llm.close()
    return float(np.exp(nll / count))


def llamacpp_ppl(model, variant):
    """llama.cpp's own figure for its own conversion (llamacpp/ppl.tsv), or None."""
    path = os.path.join(MODELS, model, "llamacpp", "ppl.tsv")
    for line in open(path):
        name, _, result = line.rstrip("\n").split("\t")
        if name == f"{model}-{variant}.gguf":
            return float(result.split("PPL = ")[1].split()[0])
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ingot", default=None)
    ap.add_argument("--keep", default=None, help="write the GGUFs here and keep them")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    a = ap.parse_args()
    ingot = a.ingot or next((p for p in [os.path.join(ROOT, ".build", c, "ingot") for c in ("release", "debug")]
                             if os.access(p, os.X_OK)), None)
    if not ingot:
        sys.exit("no ingot binary: run `swift build -c release` or pass --ingot")
    out_dir = a.keep or tempfile.mkdtemp(prefix="ingot-fidelity-")
    os.makedirs(out_dir, exist_ok=True)
    failed = False
    text = open(os.path.join(ROOT, "Calibration", "eval.txt"), encoding="utf-8").read()
    print(f"{'model':<20} {'type':<10} {'max |Δ| rows 0/8/32/127/255':>28} {'top-1':>6} {'PPL (Ingot GGUF)':>17} "
          f"{'llama.cpp own':>14}  verdict")
    for model, variant in CASES:
        ref = json.load(open(os.path.join(MODELS, model, "reference.json")))
        tokens = ref["first_chunk_tokens"]
        rows = {int(k): np.array(v, dtype=np.float32) for k, v in ref["first_chunk_logits_rows_0_8_32_127_255"].items()}
        out = os.path.join(out_dir, f"{model}-{variant}.gguf")
        cmd = [ingot, "convert", os.path.join(MODELS, model), "-o", out] + (["--type", variant] if variant != "AUTO" else [])
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0:
            print(f"{model:<20} {variant:<10} ingot failed: {p.stderr.strip()}")
            failed = True
            continue
        got = logits(out, tokens, a.threads)
        delta = max(float(np.abs(got[r] - v).max()) for r, v in rows.items())
        agree = np.mean([int(np.argmax(got[r]) == np.argmax(v)) for r, v in rows.items()])
        ppl = perplexity(out, text, a.threads)
        theirs = llamacpp_ppl(model, variant)
        verdicts = []
        if variant in ("F16", "F32"):
            verdicts.append("logits ok" if delta <= TOLERANCE else f"logits off by {delta:.3g}")
            failed |= delta > TOLERANCE
        if theirs is not None:
            same = abs(ppl - theirs) <= 5e-4 * theirs
            verdicts.append("PPL as llama.cpp's own file" if same else "PPL differs from llama.cpp's own file")
            failed |= not same
        print(f"{model:<20} {variant:<10} {delta:>28.5f} {agree:>6.2f} {ppl:>17.4f} "
              f"{(f'{theirs:.4f}' if theirs else '-'):>14}  {'; '.join(verdicts) or 'reported'}")
    if not a.keep:
        import shutil
        shutil.rmtree(out_dir, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
