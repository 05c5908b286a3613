#!/usr/bin/env python3
"""Converts every bundled checkpoint with `ingot convert` and reads each output with gguf-py (llama.cpp's own
Python reader), checking it against what llama.cpp's converter + llama-quantize wrote for the same checkpoint
(Tests/Fixtures/models/*/llamacpp/*.json, made by shared/tools/gguf_summary.py):

  * metadata keys in order, with their types and values (arrays longer than 16 as count + sha256 of their JSON),
    except Ingot's own `ingot.*` keys;
  * tensor names in order, ggml types, shapes (GGUF order) and byte sizes; every tensor's data is read;
  * MXFP4 experts of the MXFP4 checkpoint, dequantized by gguf-py, equal the checkpoint's `*_blocks`/`*_scales`
    decoded as transformers decodes them (lossless repack);
  * the split output (--split-max-size) is a valid gguf-split set.

Usage: scripts/check_convert_outputs.py [--ingot PATH] [--keep DIR]
Exit status 0 when everything matches, 1 otherwise (every difference is printed). Needs gguf, numpy, safetensors.
"""
import argparse, hashlib, json, os, subprocess, sys, tempfile
import numpy as np
from gguf import GGUFReader, GGUFValueType
from gguf.quants import dequantize
from safetensors import safe_open

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = os.path.join(ROOT, "Tests", "Fixtures", "models")
CASES = [("tiny-gptoss-mxfp4", "AUTO"), ("tiny-llama", "F16"), ("tiny-llama", "Q8_0"), ("tiny-llama", "Q4_K_M"),
         ("tiny-mixtral", "BF16"), ("tiny-mixtral", "Q8_0"), ("tiny-mixtral", "Q4_K_M"),
         ("tiny-gptoss", "BF16"), ("tiny-gptoss", "Q8_0"), ("tiny-gptoss", "Q4_K_M"), ("tiny-gptoss", "MXFP4_MOE")]
E2M1 = np.array([0, 0.5, 1, 1.5, 2, 3, 4, 6, -0.0, -0.5, -1, -1.5, -2, -3, -4, -6], np.float32)


def value(field):
    """gguf_summary.py's rendering of one metadata value."""
    t = field.types[0]
    if t == GGUFValueType.ARRAY:
        sub = field.types[1] if len(field.types) > 1 else None
        if sub == GGUFValueType.STRING:
            items = [bytes(field.parts[i]).decode("utf-8", "replace") for i in field.data]
        else:
            items = [field.parts[i].tolist()[0] if len(field.parts[i]) == 1 else field.parts[i].tolist() for i in field.data]
        if len(items) > 16:
            return {"array_of": sub.name if sub else None, "count": len(items),
                    "sha256": hashlib.sha256(json.dumps(items, ensure_ascii=False).encode()).hexdigest()}
        return {"array_of": sub.name if sub else None, "items": items}
    if t == GGUFValueType.STRING:
        return bytes(field.parts[field.data[0]]).decode("utf-8", "replace")
    v = field.parts[field.data[0]].tolist()
    return v[0] if len(v) == 1 else v


def summary(path):
    r = GGUFReader(path)
    kv = [{"key": k, "type": f.types[0].name, "value": value(f)} for k, f in r.fields.items() if not k.startswith("GGUF.")]
    tensors = []
    for t in r.tensors:
        _ = np.asarray(t.data).sum()  # every byte readable
        tensors.append({"name": t.name, "type": t.tensor_type.name, "shape": [int(x) for x in t.shape], "bytes": int(t.n_bytes)})
    return r, {"metadata": kv, "tensors": tensors}


def compare(label, mine, oracle):
    diffs = []
    a = [m for m in mine["metadata"] if not m["key"].startswith("ingot.")]
    b = oracle["metadata"]
    if [m["key"] for m in a] != [m["key"] for m in b]:
        diffs.append(f"key order differs:\n    ingot:     {[m['key'] for m in a]}\n    llama.cpp: {[m['key'] for m in b]}")
    theirs = {m["key"]: m for m in b}
    for m in a:
        o = theirs.get(m["key"])
        if o is None:
            diffs.append(f"extra key {m['key']}")
        elif m["type"] != o["type"] or m["value"] != o["value"]:
            diffs.append(f"{m['key']}: {m['type']} {str(m['value'])[:80]} vs llama.cpp {o['type']} {str(o['value'])[:80]}")
    for k in theirs.keys() - {m["key"] for m in a}:
        diffs.append(f"missing key {k}")
    if mine["tensors"] != oracle["tensors"]:
        for i, (x, y) in enumerate(zip(mine["tensors"], oracle["tensors"])):
            if x != y:
                diffs.append(f"tensor #{i}: ingot {x} vs llama.cpp {y}")
        if len(mine["tensors"]) != len(oracle["tensors"]):
            diffs.append(f"{len(mine['tensors'])} tensors vs llama.cpp {len(oracle['tensors'])}")
    for d in diffs:
        print(f"  {label}: {d}")
    return not diffs


def check_mxfp4(reader, model_dir):
    """Experts dequantized by gguf-py equal the checkpoint's blocks/scales decoded as transformers does."""
    f = safe_open(os.path.join(model_dir, "model.safetensors"), "numpy")  # only the U8 tensors are read
    tensors = {t.name: t for t in reader.tensors}
    ok = True
    for layer in range(2):
        for proj, name, stride, offset in [("down_proj", "ffn_down_exps", 1, 0), ("gate_up_proj", "ffn_gate_exps", 2, 0),
                                           ("gate_up_proj", "ffn_up_exps", 2, 1)]:
            blocks = f.get_tensor(f"model.layers.{layer}.mlp.experts.{proj}_blocks")
            scales = f.get_tensor(f"model.layers.{layer}.mlp.experts.{proj}_scales").astype(np.int32)
            codes = np.stack([blocks & 0x0F, blocks >> 4], axis=-1).reshape(*blocks.shape[:-1], 32)
            ref = np.ldexp(E2M1[codes], (scales - 127)[..., None]).reshape(blocks.shape[0], blocks.shape[1], -1)
            ref = ref[:, offset::stride, :]
            t = tensors[f"blk.{layer}.{name}.weight"]
            got = dequantize(np.asarray(t.data), t.tensor_type).reshape(ref.shape)
            if not np.array_equal(got, ref):
                print(f"  tiny-gptoss-mxfp4: {t.name}: {int((got != ref).sum())} values differ from the checkpoint")
                ok = False
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ingot", default=None, help="ingot binary (default: .build/release/ingot, else .build/debug/ingot)")
    ap.add_argument("--keep", default=None, help="write outputs here and keep them")
    a = ap.parse_args()
    ingot = a.ingot or next((p for p in [os.path.join(ROOT, ".build", c, "ingot") for c in ("release", "debug")]
                             if os.access(p, os.X_OK)), None)
    if not ingot:
        sys.exit("no ingot binary: run `swift build -c release` or pass --ingot")
    out_dir = a.keep or tempfile.mkdtemp(prefix="ingot-check-")
    os.makedirs(out_dir, exist_ok=True)
    failures = 0
    for model, variant in CASES:
        # The oracle names the output after the model directory, so the input keeps its name.
        out = os.path.join(out_dir, f"{model}-{variant}.gguf")
        cmd = [ingot, "convert", os.path.join(MODELS, model), "-o", out] + ([] if variant == "AUTO" else ["--type", variant])
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0:
            print(f"FAIL {model} {variant}: ingot exited {p.returncode}\n{p.stderr}")
            failures += 1
            continue
        reader, mine = summary(out)
        with open(os.path.join(MODELS, model, "llamacpp", f"{model}-{variant}.json")) as f:
            oracle = json.load(f)
        ok = compare(f"{model} {variant}", mine, oracle)
        if model == "tiny-gptoss-mxfp4":
            ok = check_mxfp4(reader, os.path.join(MODELS, model)) and ok
        print(("ok  " if ok else "FAIL") + f" {model} {variant}: {len(mine['tensors'])} tensors, {os.path.getsize(out)} bytes")
        failures += not ok
    # A split set: every shard readable, split.* keys as gguf-split writes them, every tensor once.
    split = os.path.join(out_dir, "split", "tiny-llama.gguf")
    os.makedirs(os.path.dirname(split), exist_ok=True)
    p = subprocess.run([ingot, "convert", os.path.join(MODELS, "tiny-llama"), "-o", split, "--type", "F16",
                        "--split-max-size", "3M"], capture_output=True, text=True)
    shards = sorted(f for f in os.listdir(os.path.dirname(split)))
    names, ok = [], p.returncode == 0 and len(shards) > 1
    for i, s in enumerate(shards):
        r = GGUFReader(os.path.join(os.path.dirname(split), s))
        ok = ok and s == f"tiny-llama-{i + 1:05d}-of-{len(shards):05d}.gguf"
        ok = ok and value(r.fields["split.no"]) == i and value(r.fields["split.count"]) == len(shards)
        names += [t.name for t in r.tensors]
    ok = ok and len(names) == 39 == len(set(names))
    print(("ok  " if ok else "FAIL") + f" split: {len(shards)} shards, {len(names)} tensors")
    failures += not ok
    if not a.keep:
        import shutil
        shutil.rmtree(out_dir, ignore_errors=True)
    print(f"{len(CASES) + 1 - failures} of {len(CASES) + 1} checks passed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
